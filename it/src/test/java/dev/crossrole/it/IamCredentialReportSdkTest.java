package dev.crossrole.it;

import static dev.crossrole.it.IamSdk.assertError;
import static dev.crossrole.it.TestCrossrole.DESTINATION;
import static dev.crossrole.it.TestCrossrole.SOURCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.iam.model.GenerateCredentialReportResponse;
import software.amazon.awssdk.services.iam.model.GetCredentialReportResponse;
import software.amazon.awssdk.services.iam.model.StatusType;

/**
 * Credential reports through the AWS SDK for Java v2: no report before one is generated, STARTED then COMPLETE, and
 * the report as IAM writes it, parsed as CSV: its columns, the root row, the users' rows with their keys' state and
 * last use, and only the caller's own account.
 */
class IamCredentialReportSdkTest {
    static final List<String> COLUMNS = List.of("user", "arn", "user_creation_time", "password_enabled",
            "password_last_used", "password_last_changed", "password_next_rotation", "mfa_active",
            "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
            "access_key_1_last_used_region", "access_key_1_last_used_service", "access_key_2_active",
            "access_key_2_last_rotated", "access_key_2_last_used_date", "access_key_2_last_used_region",
            "access_key_2_last_used_service", "cert_1_active", "cert_1_last_rotated", "cert_2_active",
            "cert_2_last_rotated");
    /** ISO 8601 to the second in UTC, as IAM writes the report's times. */
    static final String TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\+00:00";

    static TestCrossrole crossrole;
    static IamClient iam;

    @BeforeAll
    static void start() throws Exception {
        crossrole = new TestCrossrole();
        iam = IamSdk.iam(crossrole, crossrole.adminCredentials(SOURCE));
    }

    @AfterAll
    static void stop() throws Exception {
        iam.close();
        crossrole.close();
    }

    /** RFC 4180: fields separated by commas, quoted when they hold commas, quotes (doubled) or line breaks. */
    static List<List<String>> parseCsv(String text) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                row.add(field.toString());
                field.setLength(0);
            } else if (c == '\n') {
                row.add(field.toString());
                field.setLength(0);
                rows.add(row);
                row = new ArrayList<>();
            } else if (c != '\r') {
                field.append(c);
            }
        }
        if (field.length() > 0 || !row.isEmpty()) {
            row.add(field.toString());
            rows.add(row);
        }
        return rows;
    }

    /** The report's rows by user, each a map from column to value. */
    static Map<String, Map<String, String>> rows(GetCredentialReportResponse report) {
        List<List<String>> lines = parseCsv(report.content().asString(StandardCharsets.UTF_8));
        assertEquals(COLUMNS, lines.get(0), "IAM's columns, in IAM's order");
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (List<String> line : lines.subList(1, lines.size())) {
            assertEquals(COLUMNS.size(), line.size(), line.toString());
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < COLUMNS.size(); i++) {
                row.put(COLUMNS.get(i), line.get(i));
            }
            out.put(row.get("user"), row);
        }
        return out;
    }

    @Test
    void aReportIsGeneratedOnceAndReadsAsIamWritesIt() throws Exception {
        assertError(() -> iam.getCredentialReport(), 410, "ReportNotPresent",
                "Credential report not present. Use GenerateCredentialReport to generate one.");

        // A user whose name needs quoting, with an active key it has used and an inactive second key.
        String name = "report,user";
        iam.createUser(r -> r.userName(name));
        AccessKey used = iam.createAccessKey(r -> r.userName(name)).accessKey();
        AccessKey idle = iam.createAccessKey(r -> r.userName(name)).accessKey();
        iam.updateAccessKey(r -> r.userName(name).accessKeyId(idle.accessKeyId()).status(StatusType.INACTIVE));
        assertEquals(TestCrossrole.userArn(SOURCE, name), crossrole.sts(StaticCredentialsProvider.create(
                AwsBasicCredentials.create(used.accessKeyId(), used.secretAccessKey()))).getCallerIdentity().arn());
        iam.createUser(r -> r.userName("keyless"));

        Instant before = Instant.now().minusSeconds(1);
        GenerateCredentialReportResponse started = iam.generateCredentialReport();
        assertEquals("STARTED", started.stateAsString());
        assertEquals("No report exists. Starting a new report generation task", started.description());
        assertEquals("COMPLETE", iam.generateCredentialReport().stateAsString());

        GetCredentialReportResponse report = iam.getCredentialReport();
        assertEquals("text/csv", report.reportFormatAsString());
        assertFalse(report.generatedTime().isBefore(before.minusSeconds(1)), report.generatedTime().toString());
        Map<String, Map<String, String>> rows = rows(report);
        assertEquals("<root_account>", rows.keySet().iterator().next(), "the root row comes first");

        Map<String, String> root = rows.get("<root_account>");
        assertEquals(TestCrossrole.rootArn(SOURCE), root.get("arn"));
        assertTrue(root.get("user_creation_time").matches(TIME), root.get("user_creation_time"));
        assertEquals("not_supported", root.get("password_enabled"));
        assertEquals("not_supported", root.get("password_last_changed"));
        assertEquals("not_supported", root.get("password_next_rotation"));
        assertEquals("false", root.get("mfa_active"));

        Map<String, String> user = rows.get(name);
        assertEquals(TestCrossrole.userArn(SOURCE, name), user.get("arn"));
        assertTrue(user.get("user_creation_time").matches(TIME), user.get("user_creation_time"));
        OffsetDateTime created = OffsetDateTime.parse(user.get("user_creation_time"));
        assertFalse(created.toInstant().isAfter(report.generatedTime()));
        // No login profile: the password columns are N/A (password_enabled false).
        assertEquals(List.of("false", "N/A", "N/A", "N/A", "false"), List.of(user.get("password_enabled"),
                user.get("password_last_used"), user.get("password_last_changed"), user.get("password_next_rotation"),
                user.get("mfa_active")));
        assertEquals("true", user.get("access_key_1_active"));
        assertTrue(user.get("access_key_1_last_rotated").matches(TIME), user.get("access_key_1_last_rotated"));
        assertTrue(user.get("access_key_1_last_used_date").matches(TIME), user.get("access_key_1_last_used_date"));
        assertNotNull(user.get("access_key_1_last_used_region"));
        assertFalse(user.get("access_key_1_last_used_region").equals("N/A"));
        assertEquals("sts", user.get("access_key_1_last_used_service"));
        assertEquals("false", user.get("access_key_2_active"), "the second key is inactive");
        assertTrue(user.get("access_key_2_last_rotated").matches(TIME), user.get("access_key_2_last_rotated"));
        assertEquals(List.of("N/A", "N/A", "N/A"), List.of(user.get("access_key_2_last_used_date"),
                user.get("access_key_2_last_used_region"), user.get("access_key_2_last_used_service")));
        assertEquals(List.of("false", "N/A", "false", "N/A"), List.of(user.get("cert_1_active"),
                user.get("cert_1_last_rotated"), user.get("cert_2_active"), user.get("cert_2_last_rotated")));

        Map<String, String> keyless = rows.get("keyless");
        assertEquals(List.of("false", "N/A", "N/A", "N/A", "N/A"), List.of(keyless.get("access_key_1_active"),
                keyless.get("access_key_1_last_rotated"), keyless.get("access_key_1_last_used_date"),
                keyless.get("access_key_1_last_used_region"), keyless.get("access_key_1_last_used_service")));

        // A report is a picture of its moment: a later user is in the next report, four hours on.
        iam.createUser(r -> r.userName("later"));
        assertEquals("COMPLETE", iam.generateCredentialReport().stateAsString());
        assertFalse(rows(iam.getCredentialReport()).containsKey("later"));
    }

    @Test
    void eachAccountHasItsOwnReport() throws Exception {
        try (IamClient other = IamSdk.iam(crossrole, crossrole.adminCredentials(DESTINATION))) {
            other.createUser(r -> r.userName("destination-only"));
            assertError(() -> other.getCredentialReport(), 410, "ReportNotPresent",
                    "Credential report not present. Use GenerateCredentialReport to generate one.");
            assertEquals("STARTED", other.generateCredentialReport().stateAsString());
            Map<String, Map<String, String>> rows = rows(other.getCredentialReport());
            assertEquals(TestCrossrole.rootArn(DESTINATION), rows.get("<root_account>").get("arn"));
            assertTrue(rows.containsKey("destination-only"));
            assertTrue(rows.values().stream().allMatch(r -> r.get("arn").startsWith("arn:aws:iam::" + DESTINATION + ":")),
                    rows.toString());
        }
    }

    @Test
    void passwordsAndMfaDevicesShowInTheReport() throws Exception {
        // A crossrole of its own: the shared one's reports are already made for four hours.
        try (TestCrossrole own = new TestCrossrole(); IamClient admin = IamSdk.iam(own, own.adminCredentials(SOURCE))) {
            admin.updateAccountPasswordPolicy(r -> r.maxPasswordAge(30));
            admin.createUser(r -> r.userName("console"));
            Instant changed = admin.createLoginProfile(r -> r.userName("console").password("Console-Passw0rd"))
                    .loginProfile().createDate();
            String seed = admin.createVirtualMFADevice(r -> r.virtualMFADeviceName("console-phone")).virtualMFADevice()
                    .base32StringSeed().asUtf8String();
            IamMfaDevicesSdkTest.enable(admin, "console", "arn:aws:iam::" + SOURCE + ":mfa/console-phone", seed,
                    Instant.now());
            admin.createUser(r -> r.userName("api-only"));
            admin.generateCredentialReport();
            Map<String, Map<String, String>> rows = rows(admin.getCredentialReport());
            Map<String, String> console = rows.get("console");
            assertEquals(List.of("true", "no_information", CredentialReportTimes.of(changed),
                    CredentialReportTimes.of(changed.plus(java.time.Duration.ofDays(30))), "true"),
                    List.of(console.get("password_enabled"), console.get("password_last_used"),
                            console.get("password_last_changed"), console.get("password_next_rotation"),
                            console.get("mfa_active")));
            Map<String, String> apiOnly = rows.get("api-only");
            assertEquals(List.of("false", "N/A", "N/A", "N/A", "false"), List.of(apiOnly.get("password_enabled"),
                    apiOnly.get("password_last_used"), apiOnly.get("password_last_changed"),
                    apiOnly.get("password_next_rotation"), apiOnly.get("mfa_active")));
        }
    }

    /** Times as the report writes them. */
    static final class CredentialReportTimes {
        static String of(Instant instant) {
            return java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx")
                    .withZone(java.time.ZoneOffset.UTC).format(instant.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        }
    }
}
