package dev.crossrole.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.crossrole.policy.Decision;
import dev.crossrole.policy.Diagnostic;
import dev.crossrole.policy.Policies;
import dev.crossrole.policy.PolicyEngine;
import dev.crossrole.policy.PolicyKind;
import dev.crossrole.policy.Simulation;
import dev.crossrole.policy.SimulationInputException;
import dev.crossrole.policy.ValidationResult;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code crossrole policy ...}: the policy engine, offline. */
@Command(name = "policy", mixinStandardHelpOptions = true,
        description = "Validate policy documents and simulate requests, offline.",
        subcommands = {PolicyCommand.Validate.class, PolicyCommand.Simulate.class})
final class PolicyCommand implements Runnable {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    enum Format { text, json }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = {"Validate a policy document as AWS does when it is saved.",
                    "Exit status: 0 valid, 1 invalid, 2 unusable input."})
    static final class Validate implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--kind", required = true, paramLabel = "KIND",
                description = "identity, trust, resource, boundary, session, scp or rcp")
        String kind;

        @Option(names = "--format", defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE})")
        Format format;

        @Parameters(paramLabel = "FILE", description = "the policy document, or - for standard input")
        String file;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            PolicyKind policyKind = PolicyKind.fromCliName(kind);
            if (policyKind == null) {
                err.println("crossrole: unknown --kind '" + kind + "'; expected one of "
                        + String.join(", ", Arrays.stream(PolicyKind.values()).map(PolicyKind::cliName).toList()));
                return ExitCodes.UNUSABLE;
            }
            String text;
            try {
                text = Inputs.read(file, System.in);
            } catch (Inputs.UnusableInputException e) {
                err.println("crossrole: " + e.getMessage());
                return ExitCodes.UNUSABLE;
            }
            ValidationResult result = Policies.validate(text, policyKind);
            if (format == Format.json) {
                ObjectNode node = JSON.createObjectNode();
                node.put("kind", policyKind.cliName());
                node.put("valid", result.valid());
                var diagnostics = node.putArray("diagnostics");
                for (Diagnostic d : result.diagnostics()) {
                    ObjectNode dn = diagnostics.addObject();
                    dn.put("code", d.code());
                    dn.put("httpStatus", d.httpStatus());
                    dn.put("message", d.message());
                    dn.put("location", d.location());
                    if (d.detail() != null) {
                        dn.put("detail", d.detail());
                    }
                }
                out.println(JSON.writeValueAsString(node));
            } else if (result.valid()) {
                out.println("valid " + policyKind.cliName() + " policy");
            } else {
                Diagnostic d = result.error();
                out.println(d.code() + " (HTTP " + d.httpStatus() + "): " + d.message());
                if (!d.location().isEmpty()) {
                    out.println("  at " + d.location());
                }
                if (d.detail() != null) {
                    out.println("  " + d.detail());
                }
            }
            return result.valid() ? ExitCodes.OK : ExitCodes.INVALID;
        }
    }

    @Command(name = "simulate", mixinStandardHelpOptions = true,
            description = {"Decide a request against a set of policies and explain the decision.",
                    "Input: JSON with 'request' and the policies (see README, 'Simulate a request').",
                    "Exit status: 0 when a decision was made (Allow or a deny), 2 unusable input."})
    static final class Simulate implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--format", defaultValue = "json",
                description = "json (decision, message, explanation) or text (readable explanation); default: ${DEFAULT-VALUE}")
        Format format;

        @Parameters(paramLabel = "INPUT", description = "the simulation input file, or - for standard input")
        String input;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Simulation simulation;
            try {
                simulation = Simulation.parse(Inputs.read(input, System.in));
            } catch (Inputs.UnusableInputException e) {
                err.println("crossrole: " + e.getMessage());
                return ExitCodes.UNUSABLE;
            } catch (SimulationInputException e) {
                err.println("crossrole: invalid simulation input: " + e.getMessage());
                return ExitCodes.UNUSABLE;
            }
            Decision decision = simulation.decide(new PolicyEngine());
            if (format == Format.json) {
                out.println(JSON.writeValueAsString(Simulation.toJson(decision)));
            } else {
                if (!decision.allowed()) {
                    out.println(decision.accessDeniedMessage());
                    out.println();
                }
                out.print(decision.explanation().toText(decision));
            }
            out.flush();
            return ExitCodes.OK;
        }
    }
}
