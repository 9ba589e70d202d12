package dev.crossrole.bench;

import dev.crossrole.policy.AuthorizationRequest;
import dev.crossrole.policy.Decision;
import dev.crossrole.policy.Outcome;
import dev.crossrole.policy.Policies;
import dev.crossrole.policy.Policy;
import dev.crossrole.policy.PolicyEngine;
import dev.crossrole.policy.PolicySet;
import dev.crossrole.policy.Principal;
import dev.crossrole.policy.RequestContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decisions over AWS's largest managed policy, {@code ReadOnlyAccess} (3 statements, 2,744 action
 * patterns, 85,643 characters without whitespace), as crossrole ships it in
 * {@code server/src/main/resources/aws-managed-policies/}.
 *
 * <ul>
 *   <li>{@code readOnlyAccessAllows}: {@code xray:GetTraceSummaries}, granted by {@code xray:Get*}, one of
 *       the last patterns of the second statement: nearly every pattern is tried first.</li>
 *   <li>{@code readOnlyAccessDenies}: {@code iam:CreateRole}, which no pattern matches: every pattern of
 *       every statement is tried, then the decision is an implicit deny.</li>
 *   <li>{@code parseReadOnlyAccess}: {@link Policies#parseAwsManaged}, validation and compilation, as at startup.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
public class AwsManagedPolicyBenchmark {
    static final String ARN = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    static final Principal CALLER = Principal.parse("arn:aws:sts::111122223333:assumed-role/read-only-role/auditor");

    private PolicyEngine engine;
    private String readOnlyText;
    private PolicySet readOnly;
    private AuthorizationRequest allowed;
    private AuthorizationRequest denied;

    @Setup
    public void setup() throws Exception {
        engine = new PolicyEngine();
        readOnlyText = resource("/aws-managed-policies/ReadOnlyAccess.json");
        readOnly = PolicySet.builder().identity(Policies.parseAwsManaged(readOnlyText, ARN)).build();
        allowed = new AuthorizationRequest(CALLER, "xray:GetTraceSummaries", "*", null, RequestContext.empty());
        denied = new AuthorizationRequest(CALLER, "iam:CreateRole", "arn:aws:iam::111122223333:role/new-role", null,
                RequestContext.empty());
        expect(engine.evaluate(allowed, readOnly), Outcome.ALLOW, "xray:GetTraceSummaries");
        expect(engine.evaluate(denied, readOnly), Outcome.IMPLICIT_DENY, "iam:CreateRole");
    }

    private static String resource(String path) throws IOException {
        try (InputStream in = AwsManagedPolicyBenchmark.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is not on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void expect(Decision decision, Outcome outcome, String which) {
        if (decision.outcome() != outcome) {
            throw new IllegalStateException(which + ": expected " + outcome + ", got " + decision.outcome());
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Decision readOnlyAccessAllows() {
        return engine.evaluate(allowed, readOnly);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public Decision readOnlyAccessAllowsThroughput() {
        return engine.evaluate(allowed, readOnly);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Decision readOnlyAccessDenies() {
        return engine.evaluate(denied, readOnly);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public Decision readOnlyAccessDeniesThroughput() {
        return engine.evaluate(denied, readOnly);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Policy parseReadOnlyAccess() throws Exception {
        return Policies.parseAwsManaged(readOnlyText, ARN);
    }
}
