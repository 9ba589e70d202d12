package dev.crossrole.server.service;

/**
 * Thrown by a call that has nothing to answer yet but may wait for it (SQS's long polling): the pipeline ends the
 * call's transaction (the store's write lock must not be held while it waits), waits until the state it reads may
 * have changed or the time is up, and runs the call again; the last run, after the time is up, may not wait
 * ({@link #mayWait()}) and answers what there is.
 */
public final class WaitForChange extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static final ThreadLocal<Boolean> LAST_RUN = ThreadLocal.withInitial(() -> false);

    /** Blocks until what the call waits for may have changed, or for at most {@code nanos}. */
    @FunctionalInterface
    public interface Waiter {
        void await(long nanos) throws InterruptedException;
    }

    private final transient long nanos;
    private final transient Waiter waiter;

    /**
     * @param nanos how long the call may wait in all, counted from its first run
     * @param waiter what wakes it
     */
    public WaitForChange(long nanos, Waiter waiter) {
        super(null, null, false, false);
        this.nanos = nanos;
        this.waiter = waiter;
    }

    public long nanos() {
        return nanos;
    }

    public Waiter waiter() {
        return waiter;
    }

    /** Whether the call running on this thread may still wait, rather than answer now. */
    public static boolean mayWait() {
        return !LAST_RUN.get();
    }

    /** Runs the last run of a waiting call: it answers whatever there is. */
    public static <T> T lastRun(java.util.function.Supplier<T> run) {
        LAST_RUN.set(true);
        try {
            return run.get();
        } finally {
            LAST_RUN.set(false);
        }
    }
}
