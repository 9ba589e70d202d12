/**
 * JMH benchmarks of the policy engine: decisions ({@link dev.crossrole.bench.PolicyEvaluationBenchmark}) and
 * parsing with validation ({@link dev.crossrole.bench.PolicyParseBenchmark}). Policies are parsed once in
 * {@code @Setup}; each benchmark has a sample-time variant (latency percentiles, microseconds) and a
 * throughput variant (operations per second). Build with {@code mvn install -DskipTests}, run with
 * {@code java -jar bench/target/benchmarks.jar}; results are recorded in {@code docs/benchmarks.md}.
 */
package dev.crossrole.bench;
