package dev.crossrole.bench.load;

import dev.crossrole.server.iam.IamDirectory;
import dev.crossrole.server.iam.IdGenerator;
import dev.crossrole.server.iam.ManagedPolicy;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;

/**
 * What the AWS managed policies cost, in a fresh JVM: the retained heap of an IAM directory before any is asked for
 * (what every start holds); the time and retained heap once one of the ten recorded ones is asked for
 * (AdministratorAccess, which the bootstrap administrators have: only the small index is read), then once another is
 * (the catalog of 1,485 is read), then once every one has been compiled (what a server that evaluated all of them
 * would hold).
 *
 * <p>Usage: {@code java -Xmx512m -cp bench/target/benchmarks.jar dev.crossrole.bench.load.ManagedPolicyCatalogLoad}
 */
public final class ManagedPolicyCatalogLoad {
    public static void main(String[] args) throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long empty = retained(memory);
        IamDirectory iam = new IamDirectory(Clock.systemUTC(), new IdGenerator(new SecureRandom()));
        long directory = retained(memory);
        long start = System.nanoTime();
        ManagedPolicy admin = iam.policy("arn:aws:iam::aws:policy/AdministratorAccess").orElseThrow();
        long recordedUse = System.nanoTime() - start;
        long recorded = retained(memory);
        start = System.nanoTime();
        ManagedPolicy sqs = iam.policy("arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess").orElseThrow();
        long catalogUse = System.nanoTime() - start;
        long catalog = retained(memory);
        List<ManagedPolicy> all = iam.policies("111122223333", true, false);
        start = System.nanoTime();
        int statements = 0;
        for (ManagedPolicy policy : all) {
            statements += policy.document().statementCount();
        }
        long compileAll = System.nanoTime() - start;
        long compiled = retained(memory);
        System.out.printf("directory before any AWS managed policy: %.1f MiB retained%n", mib(directory - empty));
        System.out.printf("a recorded one asked for (%s): %d ms; retained %.1f MiB more%n", admin.name(),
                recordedUse / 1_000_000, mib(recorded - directory));
        System.out.printf("another asked for (%s): %d ms; catalog of %d retained %.1f MiB more%n", sqs.name(),
                catalogUse / 1_000_000, all.size(), mib(catalog - recorded));
        System.out.printf("all %d compiled (%d statements): %d ms; retained %.1f MiB more%n", all.size(), statements,
                compileAll / 1_000_000, mib(compiled - catalog));
    }

    private static long retained(MemoryMXBean memory) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static double mib(long bytes) {
        return bytes / 1024.0 / 1024.0;
    }
}
