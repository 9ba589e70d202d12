package dev.crossrole.server.iam;

import static dev.crossrole.server.iam.IamSupport.account;

import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.AccessCheck;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.PreparedCall;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Virtual MFA devices: created with a fresh TOTP seed (returned once, as base32 and as a QR code), enabled for a user
 * with two consecutive codes, resynchronized, deactivated, deleted, listed and tagged. The operations on a device
 * ({@code DeleteVirtualMFADevice}, the tag calls) are authorized on its serial number, the MFA ARN; the others on the
 * user's ARN, as IAM authorizes them.
 */
final class MfaDeviceOperations {
    /** MFA devices one user may have enabled (IAM User Guide, "IAM and AWS STS quotas"). */
    static final int DEVICES_PER_USER = 8;
    /** 40 random bytes: a seed of 64 base32 characters, as IAM hands out. */
    static final int SEED_BYTES = 40;
    /**
     * How far back the first of two consecutive codes may lie when a device is enabled or resynchronized: ten minutes
     * of 30-second steps, for an authenticator app whose clock has drifted (the codes are still checked as a pair);
     * the second may be one step ahead.
     */
    static final int SETUP_WINDOW_STEPS = 20;
    /** Pixels a module in the QR code's PNG. */
    static final int QR_SCALE = 5;
    private static final Pattern MFA_ARN = Pattern.compile("arn:aws:iam::\\d{12}:mfa/[\\x21-\\x7E]+");

    private final IamDirectory iam;

    MfaDeviceOperations(IamSupport support) {
        this.iam = support.iam;
    }

    static AwsException noSuchDevice(String serial) {
        return IamSupport.noSuchEntity("VirtualMFADevice with serial number " + serial + " doesn't exist.");
    }

    static AwsException notTheUsers() {
        return IamSupport.noSuchEntity("MFA Device invalid for user.");
    }

    static AwsException invalidCodes() {
        return new AwsException("InvalidAuthenticationCode", 403, "Authentication code for device is not valid.");
    }

    /** The operations whose resource is the device itself need its ARN. */
    private static void checkSerialArn(String serial) {
        if (!MFA_ARN.matcher(serial).matches()) {
            throw IamSupport.invalidInput("ARN " + serial + " is not valid.");
        }
    }

    /**
     * The later step of two consecutive codes, the first no more than {@link #SETUP_WINDOW_STEPS} steps back and the
     * second no later than the next step; both after the last code the device accepted. {@code -1}: no such pair.
     */
    static long consecutiveCodes(VirtualMfaDevice device, String code1, String code2, Instant now) {
        byte[] key = device.key();
        long current = Totp.step(now);
        for (long step = current; step >= current - SETUP_WINDOW_STEPS && step > device.lastStep(); step--) {
            if (Totp.matches(key, step, code1) && Totp.matches(key, step + 1, code2)) {
                return step + 1;
            }
        }
        return -1;
    }

    // ---- access checks ----------------------------------------------------------------------

    private AccessCheck onUser(Call call, String action, String name) {
        IamUser user = iam.user(account(call), name).orElse(null);
        RequestContext.Builder context = RequestContext.builder();
        if (user != null) {
            IamSupport.resourceTags(context, user.tags());
        }
        return IamSupport.check(action, user != null ? user.arn() : "arn:aws:iam::" + account(call) + ":user/" + name,
                context.build());
    }

    private AccessCheck onDevice(Call call, String action, String serial, RequestContext.Builder extra) {
        RequestContext.Builder context = extra == null ? RequestContext.builder() : extra;
        iam.mfaDevice(serial).filter(d -> d.account().equals(account(call)))
                .ifPresent(d -> IamSupport.resourceTags(context, d.tags()));
        return IamSupport.checkByArn(action, serial, context.build());
    }

    private IamUser existingUser(Call call, String name) {
        return iam.user(account(call), name).orElseThrow(() -> IamSupport.noSuchUser(name));
    }

    private VirtualMfaDevice existingDevice(Call call, String serial) {
        return iam.mfaDevice(serial).filter(d -> d.account().equals(account(call)))
                .orElseThrow(() -> noSuchDevice(serial));
    }

    /** The device, if it is enabled for that user; IAM does not tell another user's device from a missing one. */
    private VirtualMfaDevice devicesOfUser(Call call, IamUser user, String serial) {
        VirtualMfaDevice device = iam.mfaDevice(serial).filter(d -> d.account().equals(account(call))).orElse(null);
        if (device == null || !user.userId().equals(device.userId())) {
            throw notTheUsers();
        }
        return device;
    }

    /** A user an optional {@code UserName} names; root credentials must name one (AWS wants an AssumeRoot session). */
    private static String target(Call call, String given) {
        String target = UserOperations.targetUser(call, given);
        if (target == null) {
            throw AwsException.validation(UserOperations.NON_USER_CREDENTIALS);
        }
        return target;
    }

    // ---- create, enable, resync, deactivate, delete -----------------------------------------

    PreparedCall createVirtualMFADevice(Call call, Input input) {
        String path = input.string("Path") == null ? "/" : input.string("Path");
        String name = input.string("VirtualMFADeviceName");
        Map<String, String> tags = IamSupport.tags(input);
        String account = account(call);
        String serial = VirtualMfaDevice.serialNumber(account, path, name);
        RequestContext context = IamSupport.requestTags(RequestContext.builder(), tags).build();
        List<AccessCheck> checks = new ArrayList<>(List.of(IamSupport.checkByArn("iam:CreateVirtualMFADevice", serial,
                context)));
        if (!tags.isEmpty()) {
            checks.add(IamSupport.checkByArn("iam:TagMFADevice", serial, context));
        }
        return PreparedCall.of(checks, () -> {
            synchronized (iam) {
                String lower = serial.toLowerCase(Locale.ROOT);
                if (iam.mfaDevices(account).stream().anyMatch(d -> d.serialNumber().toLowerCase(Locale.ROOT)
                        .equals(lower))) {
                    throw IamSupport.alreadyExists("MFADevice entity at the same path and name already exists.");
                }
                byte[] secret = new byte[SEED_BYTES];
                iam.ids().random().nextBytes(secret);
                String seed = Totp.base32(secret);
                VirtualMfaDevice device = new VirtualMfaDevice(account, path, name, seed, tags, iam.clock().instant(),
                        null, null, -1);
                iam.putMfaDevice(device);
                // The URI IAM documents for the QR code: otpauth://totp/$virtualMFADeviceName@$AccountName?secret=...
                QrCode qr = QrCode.encode("otpauth://totp/" + name + "@" + account + "?secret=" + seed, QrCode.Ecc.M);
                Shape out = Shape.of().put("SerialNumber", serial)
                        .put("Base32StringSeed", seed.getBytes(StandardCharsets.US_ASCII))
                        .put("QRCodePNG", qr == null ? null : qr.png(QR_SCALE));
                if (!tags.isEmpty()) {
                    out.put("Tags", IamSupport.tagShapes(tags));
                }
                return Shape.of().put("VirtualMFADevice", out);
            }
        });
    }

    PreparedCall enableMFADevice(Call call, Input input) {
        String name = input.string("UserName");
        String serial = input.string("SerialNumber");
        String code1 = input.string("AuthenticationCode1");
        String code2 = input.string("AuthenticationCode2");
        return PreparedCall.of(List.of(onUser(call, "iam:EnableMFADevice", name)), () -> {
            synchronized (iam) {
                IamUser user = existingUser(call, name);
                VirtualMfaDevice device = existingDevice(call, serial);
                if (device.assigned()) {
                    throw IamSupport.alreadyExists("MFA Device is already in use.");
                }
                if (iam.mfaDevicesOf(user.userId()).size() >= DEVICES_PER_USER) {
                    throw IamSupport.limitExceeded("Cannot exceed quota for MFADevicesPerUser: " + DEVICES_PER_USER);
                }
                Instant now = iam.clock().instant();
                long step = consecutiveCodes(device, code1, code2, now);
                if (step < 0) {
                    throw invalidCodes();
                }
                iam.putMfaDevice(device.assignedTo(user.userId(), now, step));
                return null;
            }
        });
    }

    PreparedCall resyncMFADevice(Call call, Input input) {
        String name = input.string("UserName");
        String serial = input.string("SerialNumber");
        String code1 = input.string("AuthenticationCode1");
        String code2 = input.string("AuthenticationCode2");
        return PreparedCall.of(List.of(onUser(call, "iam:ResyncMFADevice", name)), () -> {
            synchronized (iam) {
                IamUser user = existingUser(call, name);
                VirtualMfaDevice device = devicesOfUser(call, user, serial);
                long step = consecutiveCodes(device, code1, code2, iam.clock().instant());
                if (step < 0) {
                    throw invalidCodes();
                }
                iam.putMfaDevice(device.withLastStep(step));
                return null;
            }
        });
    }

    PreparedCall deactivateMFADevice(Call call, Input input) {
        String name = target(call, input.string("UserName"));
        String serial = input.string("SerialNumber");
        return PreparedCall.of(List.of(onUser(call, "iam:DeactivateMFADevice", name)), () -> {
            synchronized (iam) {
                IamUser user = existingUser(call, name);
                // The device keeps its last accepted step: codes used before are not accepted again if it is re-enabled.
                iam.putMfaDevice(devicesOfUser(call, user, serial).unassigned());
                return null;
            }
        });
    }

    PreparedCall deleteVirtualMFADevice(Call call, Input input) {
        String serial = input.string("SerialNumber");
        checkSerialArn(serial);
        return PreparedCall.of(List.of(onDevice(call, "iam:DeleteVirtualMFADevice", serial, null)), () -> {
            synchronized (iam) {
                VirtualMfaDevice device = existingDevice(call, serial);
                if (device.assigned()) {
                    throw IamSupport.deleteConflict("MFA VirtualDevice in use. Must deactivate first.");
                }
                iam.deleteMfaDevice(device.serialNumber());
                return null;
            }
        });
    }

    // ---- reads ------------------------------------------------------------------------------

    PreparedCall listMFADevices(Call call, Input input) {
        String target = UserOperations.targetUser(call, input.string("UserName"));
        IamSupport.PageRequest page = IamSupport.pageRequest(input);
        AccessCheck check = target == null
                ? IamSupport.check("iam:ListMFADevices", "arn:aws:iam::" + account(call) + ":root", RequestContext.empty())
                : onUser(call, "iam:ListMFADevices", target);
        return PreparedCall.of(List.of(check), () -> {
            // The root's own MFA is set up in the console; crossrole has none for it.
            IamUser user = target == null ? null : existingUser(call, target);
            List<VirtualMfaDevice> devices = user == null ? List.of() : iam.mfaDevicesOf(user.userId());
            IamSupport.Page<VirtualMfaDevice> p = IamSupport.page(devices, page);
            return p.into(Shape.of().put("MFADevices", IamSupport.shapes(p.items(), d -> Shape.of()
                    .put("UserName", user.name()).put("SerialNumber", d.serialNumber()).put("EnableDate", d.enabled()))));
        });
    }

    PreparedCall listVirtualMFADevices(Call call, Input input) {
        String status = input.string("AssignmentStatus") == null ? "Any" : input.string("AssignmentStatus");
        IamSupport.PageRequest page = IamSupport.pageRequest(input);
        return PreparedCall.of(List.of(IamSupport.check("iam:ListVirtualMFADevices", "*", RequestContext.empty())), () -> {
            List<VirtualMfaDevice> devices = iam.mfaDevices(account(call)).stream()
                    .filter(d -> status.equals("Any") || d.assigned() == status.equals("Assigned")).toList();
            IamSupport.Page<VirtualMfaDevice> p = IamSupport.page(devices, page);
            return p.into(Shape.of().put("VirtualMFADevices", IamSupport.shapes(p.items(), d -> {
                // Listing never returns the seed, the QR code or the device's tags.
                Shape shape = Shape.of().put("SerialNumber", d.serialNumber());
                iam.userById(d.userId()).ifPresent(u -> shape.put("User", UserOperations.userShape(u, true)));
                return shape.put("EnableDate", d.enabled());
            })));
        });
    }

    PreparedCall getMFADevice(Call call, Input input) {
        String serial = input.string("SerialNumber");
        String name = target(call, input.string("UserName"));
        return PreparedCall.of(List.of(onUser(call, "iam:GetMFADevice", name)), () -> {
            IamUser user = existingUser(call, name);
            VirtualMfaDevice device = devicesOfUser(call, user, serial);
            return Shape.of().put("UserName", user.name()).put("SerialNumber", device.serialNumber())
                    .put("EnableDate", device.enabled());
        });
    }

    // ---- tags -------------------------------------------------------------------------------

    PreparedCall tagMFADevice(Call call, Input input) {
        String serial = input.string("SerialNumber");
        checkSerialArn(serial);
        Map<String, String> tags = IamSupport.tags(input);
        return PreparedCall.of(List.of(onDevice(call, "iam:TagMFADevice", serial,
                IamSupport.requestTags(RequestContext.builder(), tags))), () -> {
            synchronized (iam) {
                VirtualMfaDevice device = existingDevice(call, serial);
                iam.putMfaDevice(device.withTags(IamSupport.mergeTags(device.tags(), tags)));
                return null;
            }
        });
    }

    PreparedCall untagMFADevice(Call call, Input input) {
        String serial = input.string("SerialNumber");
        checkSerialArn(serial);
        List<String> keys = input.listOrEmpty("TagKeys");
        return PreparedCall.of(List.of(onDevice(call, "iam:UntagMFADevice", serial,
                RequestContext.builder().multi("aws:TagKeys", keys))), () -> {
            synchronized (iam) {
                VirtualMfaDevice device = existingDevice(call, serial);
                Map<String, String> remaining = new LinkedHashMap<>(device.tags());
                remaining.keySet().removeIf(k -> keys.stream().anyMatch(k::equalsIgnoreCase));
                iam.putMfaDevice(device.withTags(remaining));
                return null;
            }
        });
    }

    PreparedCall listMFADeviceTags(Call call, Input input) {
        String serial = input.string("SerialNumber");
        checkSerialArn(serial);
        IamSupport.PageRequest page = IamSupport.pageRequest(input);
        return PreparedCall.of(List.of(onDevice(call, "iam:ListMFADeviceTags", serial, null)), () -> {
            VirtualMfaDevice device = existingDevice(call, serial);
            IamSupport.Page<Map.Entry<String, String>> p = IamSupport.page(new ArrayList<>(device.tags().entrySet()), page);
            return p.into(Shape.of().put("Tags", IamSupport.shapes(p.items(),
                    e -> Shape.of().put("Key", e.getKey()).put("Value", e.getValue()))));
        });
    }
}
