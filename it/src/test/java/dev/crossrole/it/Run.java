package dev.crossrole.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** What a command run by a test (the AWS CLI, the crossrole command line) printed, and its exit status. */
record Run(int exit, String stdout, String stderr) {
    private static final ObjectMapper JSON = new ObjectMapper();

    JsonNode json() {
        try {
            return JSON.readTree(stdout);
        } catch (IOException e) {
            throw new AssertionError("printed no JSON: " + this, e);
        }
    }

    @Override
    public String toString() {
        return "exit " + exit + "\nstdout: " + stdout + "\nstderr: " + stderr;
    }
}
