package dev.crossrole.it;

import static dev.crossrole.it.IamSdk.assertError;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AssignmentStatusType;
import software.amazon.awssdk.services.iam.model.IamException;
import software.amazon.awssdk.services.iam.model.MFADevice;
import software.amazon.awssdk.services.iam.model.Tag;
import software.amazon.awssdk.services.iam.model.VirtualMFADevice;

/**
 * Virtual MFA devices through the AWS SDK for Java v2: every operation of the model, codes computed from the seed as an
 * authenticator app computes them (on crossrole's clock, which the test moves), IAM's errors (which change nothing),
 * quotas, and no reach into another account's devices.
 */
class IamMfaDevicesSdkTest {
    static MutableClock clock;
    static TestCrossrole crossrole;
    static IamClient iam;
    static IamClient otherAccount;

    @BeforeAll
    static void start() throws Exception {
        // Ten seconds into a 30-second step, near the real time (requests are still signed with the real time).
        clock = new MutableClock(Instant.ofEpochSecond(Instant.now().getEpochSecond() / 30 * 30 + 10));
        crossrole = new TestCrossrole(clock);
        iam = IamSdk.iam(crossrole, crossrole.adminCredentials(SOURCE));
        otherAccount = IamSdk.iam(crossrole, crossrole.adminCredentials(DESTINATION));
    }

    @AfterAll
    static void stop() throws Exception {
        iam.close();
        otherAccount.close();
        crossrole.close();
    }

    static String serial(String account, String pathAndName) {
        return "arn:aws:iam::" + account + ":mfa/" + pathAndName;
    }

    static String seed(VirtualMFADevice device) {
        return device.base32StringSeed().asUtf8String();
    }

    /** Enables a device with two consecutive codes: the one of the step before this one, and this one's. */
    static void enable(IamClient client, String user, String serial, String seed) {
        enable(client, user, serial, seed, clock.instant());
    }

    static void enable(IamClient client, String user, String serial, String seed, Instant now) {
        client.enableMFADevice(r -> r.userName(user).serialNumber(serial)
                .authenticationCode1(Otp.code(seed, now, -1)).authenticationCode2(Otp.code(seed, now)));
    }

    static List<String> virtualSerials(IamClient client, AssignmentStatusType status) {
        return client.listVirtualMFADevices(r -> r.assignmentStatus(status)).virtualMFADevices().stream()
                .map(VirtualMFADevice::serialNumber).toList();
    }

    @Test
    void aDeviceLivesThroughEveryOperation() throws Exception {
        iam.createUser(r -> r.userName("mfa-user"));
        VirtualMFADevice created = iam.createVirtualMFADevice(r -> r.path("/team/").virtualMFADeviceName("phone")
                .tags(Tag.builder().key("team").value("platform").build())).virtualMFADevice();
        String serial = serial(SOURCE, "team/phone");
        assertEquals(serial, created.serialNumber());
        String seed = seed(created);
        assertTrue(seed.matches("[A-Z2-7]{64}"), seed);
        assertEquals(List.of("team"), created.tags().stream().map(Tag::key).toList());
        BufferedImage qr = ImageIO.read(new ByteArrayInputStream(created.qrCodePNG().asByteArray()));
        assertNotNull(qr, "QRCodePNG is a PNG");
        assertEquals(qr.getWidth(), qr.getHeight());

        assertTrue(virtualSerials(iam, AssignmentStatusType.UNASSIGNED).contains(serial));
        VirtualMFADevice listed = iam.listVirtualMFADevices().virtualMFADevices().stream()
                .filter(d -> d.serialNumber().equals(serial)).findFirst().orElseThrow();
        assertNull(listed.base32StringSeed(), "the seed is returned once, when the device is created");
        assertNull(listed.qrCodePNG());
        assertNull(listed.user());

        iam.tagMFADevice(r -> r.serialNumber(serial).tags(Tag.builder().key("env").value("ci").build()));
        assertEquals(List.of("team", "env"), iam.listMFADeviceTags(r -> r.serialNumber(serial)).tags().stream()
                .map(Tag::key).toList());
        iam.untagMFADevice(r -> r.serialNumber(serial).tagKeys("TEAM"));
        assertEquals(List.of("env"), iam.listMFADeviceTags(r -> r.serialNumber(serial)).tags().stream()
                .map(Tag::key).toList());

        enable(iam, "mfa-user", serial, seed);
        List<MFADevice> devices = iam.listMFADevices(r -> r.userName("mfa-user")).mfaDevices();
        assertEquals(1, devices.size());
        assertEquals("mfa-user", devices.get(0).userName());
        assertEquals(serial, devices.get(0).serialNumber());
        assertEquals(clock.instant(), devices.get(0).enableDate());
        assertTrue(virtualSerials(iam, AssignmentStatusType.ASSIGNED).contains(serial));
        assertFalse(virtualSerials(iam, AssignmentStatusType.UNASSIGNED).contains(serial));
        VirtualMFADevice assigned = iam.listVirtualMFADevices(r -> r.assignmentStatus(AssignmentStatusType.ASSIGNED))
                .virtualMFADevices().stream().filter(d -> d.serialNumber().equals(serial)).findFirst().orElseThrow();
        assertEquals("mfa-user", assigned.user().userName());
        assertEquals(TestCrossrole.userArn(SOURCE, "mfa-user"), assigned.user().arn());
        assertEquals(clock.instant(), assigned.enableDate());
        var got = iam.getMFADevice(r -> r.serialNumber(serial).userName("mfa-user"));
        assertEquals("mfa-user", got.userName());
        assertEquals(serial, got.serialNumber());
        assertEquals(clock.instant(), got.enableDate());

        var summary = iam.getAccountSummary().summaryMapAsStrings();
        List<VirtualMFADevice> all = iam.listVirtualMFADevices().virtualMFADevices();
        assertEquals(all.size(), summary.get("MFADevices"));
        assertEquals((int) all.stream().filter(d -> d.user() != null).count(), summary.get("MFADevicesInUse"));

        // Two minutes on, the app's codes resynchronize the device.
        clock.advance(Duration.ofMinutes(2));
        iam.resyncMFADevice(r -> r.userName("mfa-user").serialNumber(serial)
                .authenticationCode1(Otp.code(seed, clock.instant(), -1))
                .authenticationCode2(Otp.code(seed, clock.instant())));

        iam.deactivateMFADevice(r -> r.userName("mfa-user").serialNumber(serial));
        assertEquals(List.of(), iam.listMFADevices(r -> r.userName("mfa-user")).mfaDevices());
        assertTrue(virtualSerials(iam, AssignmentStatusType.UNASSIGNED).contains(serial));
        iam.deleteVirtualMFADevice(r -> r.serialNumber(serial));
        assertFalse(virtualSerials(iam, AssignmentStatusType.ANY).contains(serial));
        assertError(() -> iam.listMFADeviceTags(r -> r.serialNumber(serial)), 404, "NoSuchEntity",
                "VirtualMFADevice with serial number " + serial + " doesn't exist.");
        iam.deleteUser(r -> r.userName("mfa-user"));
    }

    @Test
    void aUserListsItsOwnDevicesWithoutNamingItself() {
        var key = crossrole.user(SOURCE, "self-mfa", java.util.Map.of("mfa", Docs.allow("*", "iam:ListMFADevices",
                "iam:DeactivateMFADevice", "iam:GetMFADevice")));
        String seed = seed(iam.createVirtualMFADevice(r -> r.virtualMFADeviceName("self-mfa")).virtualMFADevice());
        String serial = serial(SOURCE, "self-mfa");
        enable(iam, "self-mfa", serial, seed);
        try (IamClient self = IamSdk.iam(crossrole, TestCrossrole.credentials(key))) {
            assertEquals(List.of(serial), self.listMFADevices().mfaDevices().stream().map(MFADevice::serialNumber)
                    .toList());
            assertEquals("self-mfa", self.getMFADevice(r -> r.serialNumber(serial)).userName());
            self.deactivateMFADevice(r -> r.serialNumber(serial));
            assertEquals(List.of(), self.listMFADevices().mfaDevices());
        }
    }

    @Test
    void enablingNeedsTwoConsecutiveCurrentCodes() {
        iam.createUser(r -> r.userName("code-user"));
        String seed = seed(iam.createVirtualMFADevice(r -> r.virtualMFADeviceName("code-device")).virtualMFADevice());
        String serial = serial(SOURCE, "code-device");
        Instant now = clock.instant();
        String previous = Otp.code(seed, now, -1);
        String current = Otp.code(seed, now);
        String wrong = Otp.wrongCode(seed, now);
        for (String[] codes : List.of(new String[] {wrong, current}, new String[] {previous, wrong},
                new String[] {current, previous}, new String[] {current, current},
                new String[] {Otp.code(seed, now, -40), Otp.code(seed, now, -39)})) {
            assertError(() -> iam.enableMFADevice(r -> r.userName("code-user").serialNumber(serial)
                    .authenticationCode1(codes[0]).authenticationCode2(codes[1])), 403, "InvalidAuthenticationCode",
                    "Authentication code for device is not valid.");
        }
        assertTrue(virtualSerials(iam, AssignmentStatusType.UNASSIGNED).contains(serial), "refusals change nothing");
        assertError(() -> iam.enableMFADevice(r -> r.userName("code-user").serialNumber(serial)
                .authenticationCode1("12345").authenticationCode2(current)), 400, "ValidationError",
                IamSdk.validation("12345", "authenticationCode1", "Member must have length greater than or equal to 6"));
        // Codes from a few minutes ago still enable it (an app whose clock drifted), and are then used up.
        iam.enableMFADevice(r -> r.userName("code-user").serialNumber(serial)
                .authenticationCode1(Otp.code(seed, now, -6)).authenticationCode2(Otp.code(seed, now, -5)));
        assertEquals(1, iam.listMFADevices(r -> r.userName("code-user")).mfaDevices().size());
        // Resynchronizing with codes already used is refused.
        assertError(() -> iam.resyncMFADevice(r -> r.userName("code-user").serialNumber(serial)
                .authenticationCode1(Otp.code(seed, now, -6)).authenticationCode2(Otp.code(seed, now, -5))), 403,
                "InvalidAuthenticationCode", "Authentication code for device is not valid.");
    }

    @Test
    void iamsErrorsForDevicesAndUsers() {
        iam.createUser(r -> r.userName("owner"));
        iam.createUser(r -> r.userName("bystander"));
        String seed = seed(iam.createVirtualMFADevice(r -> r.virtualMFADeviceName("shared")).virtualMFADevice());
        String serial = serial(SOURCE, "shared");
        assertError(() -> iam.createVirtualMFADevice(r -> r.virtualMFADeviceName("shared")), 409, "EntityAlreadyExists",
                "MFADevice entity at the same path and name already exists.");
        assertEquals(serial(SOURCE, "other/shared"), iam.createVirtualMFADevice(r -> r.path("/other/")
                .virtualMFADeviceName("shared")).virtualMFADevice().serialNumber(), "another path is another device");
        assertError(() -> iam.createVirtualMFADevice(r -> r.path("other").virtualMFADeviceName("x")), 400,
                "ValidationError", "The specified value for path is invalid. It must begin and end with / and contain"
                        + " only alphanumeric characters and/or / characters.");
        assertError(() -> iam.createVirtualMFADevice(r -> r.virtualMFADeviceName("bad name")), 400, "ValidationError",
                "The specified value for virtualMFADeviceName is invalid. It must contain only alphanumeric characters"
                        + " and/or the following: +=,.@_-");

        String missing = serial(SOURCE, "missing");
        assertError(() -> enable(iam, "owner", missing, seed), 404, "NoSuchEntity",
                "VirtualMFADevice with serial number " + missing + " doesn't exist.");
        assertError(() -> enable(iam, "nobody", serial, seed), 404, "NoSuchEntity",
                "The user with name nobody cannot be found.");
        enable(iam, "owner", serial, seed);
        clock.advance(Duration.ofSeconds(30));
        assertError(() -> enable(iam, "bystander", serial, seed), 409, "EntityAlreadyExists",
                "MFA Device is already in use.");
        assertError(() -> iam.deactivateMFADevice(r -> r.userName("bystander").serialNumber(serial)), 404,
                "NoSuchEntity", "MFA Device invalid for user.");
        assertError(() -> iam.getMFADevice(r -> r.userName("bystander").serialNumber(serial)), 404, "NoSuchEntity",
                "MFA Device invalid for user.");
        assertError(() -> iam.resyncMFADevice(r -> r.userName("bystander").serialNumber(serial)
                .authenticationCode1(Otp.code(seed, clock.instant(), -1))
                .authenticationCode2(Otp.code(seed, clock.instant()))), 404, "NoSuchEntity",
                "MFA Device invalid for user.");
        assertError(() -> iam.deleteVirtualMFADevice(r -> r.serialNumber(serial)), 409, "DeleteConflict",
                "MFA VirtualDevice in use. Must deactivate first.");
        assertError(() -> iam.deleteUser(r -> r.userName("owner")), 409, "DeleteConflict",
                "Cannot delete entity, must delete MFA device first.");
        assertError(() -> iam.deleteVirtualMFADevice(r -> r.serialNumber("GAHT12345678")), 400, "InvalidInput",
                "ARN GAHT12345678 is not valid.");
        assertError(() -> iam.deleteVirtualMFADevice(r -> r.serialNumber(missing)), 404, "NoSuchEntity",
                "VirtualMFADevice with serial number " + missing + " doesn't exist.");
        assertError(() -> iam.tagMFADevice(r -> r.serialNumber(serial).tags(Tag.builder().key("k").value("1").build(),
                Tag.builder().key("K").value("2").build())), 400, "InvalidInput",
                "Duplicate tag keys found. Please note that Tag keys are case insensitive.");
        assertEquals(List.of(), iam.listMFADeviceTags(r -> r.serialNumber(serial)).tags());
        assertEquals(List.of(serial), iam.listMFADevices(r -> r.userName("owner")).mfaDevices().stream()
                .map(MFADevice::serialNumber).toList(), "refusals change nothing");
    }

    @Test
    void aUserHasAtMostEightDevices() {
        iam.createUser(r -> r.userName("collector"));
        for (int i = 0; i < 9; i++) {
            String name = "collected-" + i;
            String seed = seed(iam.createVirtualMFADevice(r -> r.virtualMFADeviceName(name)).virtualMFADevice());
            if (i < 8) {
                enable(iam, "collector", serial(SOURCE, name), seed);
            } else {
                assertError(() -> enable(iam, "collector", serial(SOURCE, name), seed), 409, "LimitExceeded",
                        "Cannot exceed quota for MFADevicesPerUser: 8");
            }
        }
        assertEquals(8, iam.listMFADevices(r -> r.userName("collector")).mfaDevices().size());
        var page = iam.listMFADevices(r -> r.userName("collector").maxItems(5));
        assertTrue(page.isTruncated());
        assertEquals(3, iam.listMFADevices(r -> r.userName("collector").marker(page.marker())).mfaDevices().size());
    }

    @Test
    void anotherAccountNeitherSeesNorTouchesTheDevices() {
        iam.createUser(r -> r.userName("guarded-mfa"));
        String seed = seed(iam.createVirtualMFADevice(r -> r.virtualMFADeviceName("guarded")
                .tags(Tag.builder().key("k").value("v").build())).virtualMFADevice());
        String serial = serial(SOURCE, "guarded");
        otherAccount.createUser(r -> r.userName("thief"));

        for (Runnable call : List.<Runnable>of(
                () -> otherAccount.deleteVirtualMFADevice(r -> r.serialNumber(serial)),
                () -> otherAccount.tagMFADevice(r -> r.serialNumber(serial).tags(Tag.builder().key("k").value("x").build())),
                () -> otherAccount.untagMFADevice(r -> r.serialNumber(serial).tagKeys("k")),
                () -> otherAccount.listMFADeviceTags(r -> r.serialNumber(serial)))) {
            IamException e = IamSdk.fails(call::run);
            assertEquals(403, e.statusCode());
            assertEquals("AccessDenied", e.awsErrorDetails().errorCode());
        }
        // Even with the seed, the other account cannot enable this account's device for its own user.
        assertError(() -> enable(otherAccount, "thief", serial, seed), 404, "NoSuchEntity",
                "VirtualMFADevice with serial number " + serial + " doesn't exist.");
        assertError(() -> otherAccount.getMFADevice(r -> r.userName("thief").serialNumber(serial)), 404, "NoSuchEntity",
                "MFA Device invalid for user.");
        assertFalse(virtualSerials(otherAccount, AssignmentStatusType.ANY).contains(serial));

        assertTrue(virtualSerials(iam, AssignmentStatusType.UNASSIGNED).contains(serial), "still there, unassigned");
        assertEquals("v", iam.listMFADeviceTags(r -> r.serialNumber(serial)).tags().get(0).value());
        enable(iam, "guarded-mfa", serial, seed);
    }
}
