package dev.crossrole.server.model;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Service models crossrole does not carry, compiled for a test the way the build compiles its own: operation table
 * and shape table from a botocore {@code service-2.json} directory. Every operation counts as writing (the test models
 * come without Service Authorization Reference data).
 */
public final class TestModels {
    private TestModels() {}

    /** The model of {@code id} under {@code models} ({@code models/<id>/<version>/service-2.json}). */
    public static ServiceModel compile(Path models, String id) {
        try {
            Path scratch = Files.createTempDirectory("test-model");
            Path actions = Files.createDirectories(scratch.resolve("actions"));
            Files.writeString(actions.resolve(id + ".json"), "{}");
            Path decisions = Files.writeString(scratch.resolve("decisions.tsv"),
                    id + "\t*\t=Write\ta test model has no reference data\n");
            String table = OperationTableGenerator.generate(models, actions, decisions);
            ServiceModel service = ServiceModels.parse(new BufferedReader(new StringReader(table))).byId(id);
            service.shapes(ShapeTable.parse(new BufferedReader(new StringReader(
                    ShapeTableGenerator.generate(models).get(id)))));
            return service;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
