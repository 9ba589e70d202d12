package dev.crossrole.server.iam;

import java.time.Instant;

/**
 * What STS asks IAM when a call carries {@code SerialNumber} and {@code TokenCode}: is this the current code of a
 * virtual MFA device enabled for the calling user? An accepted code is used up: the device remembers its time step,
 * and no code of that step or an earlier one is accepted again. The caller runs this as a store write, so that the
 * use is durable (and seen by every node) before the session it authenticates is issued.
 */
public final class MfaCodes {
    /** Codes of the current step and of the one on either side are accepted (30 seconds of clock skew each way). */
    static final int SKEW_STEPS = 1;

    /** What a code proved. */
    public enum Outcome {
        /** The device is the user's and the code is current and unused: it is now used. */
        ACCEPTED,
        /** No device of that serial number is enabled for the user. */
        NOT_ASSOCIATED,
        /** The device is the user's, but the code is wrong, too old or too new, or was used already. */
        INVALID_CODE
    }

    private final IamDirectory iam;

    public MfaCodes(IamDirectory iam) {
        this.iam = iam;
    }

    /**
     * Checks {@code code} against the device {@code serial} enabled for the user with unique id {@code userId} in
     * {@code account} ({@code null} user: nobody's, as for the root or a role session) and, if it is accepted,
     * records its step.
     */
    public Outcome consume(String account, String userId, String serial, String code, Instant now) {
        synchronized (iam) {
            VirtualMfaDevice device = iam.mfaDevice(serial)
                    .filter(d -> d.account().equals(account) && userId != null && userId.equals(d.userId()))
                    .orElse(null);
            if (device == null) {
                return Outcome.NOT_ASSOCIATED;
            }
            byte[] key = device.key();
            long current = Totp.step(now);
            for (long step = current - SKEW_STEPS; step <= current + SKEW_STEPS; step++) {
                if (step > device.lastStep() && Totp.matches(key, step, code)) {
                    iam.putMfaDevice(device.withLastStep(step));
                    return Outcome.ACCEPTED;
                }
            }
            return Outcome.INVALID_CODE;
        }
    }
}
