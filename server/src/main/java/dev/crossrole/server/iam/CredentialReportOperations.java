package dev.crossrole.server.iam;

import static dev.crossrole.server.iam.IamSupport.account;

import dev.crossrole.policy.RequestContext;
import dev.crossrole.server.protocol.AwsException;
import dev.crossrole.server.protocol.Input;
import dev.crossrole.server.protocol.Shape;
import dev.crossrole.server.service.Call;
import dev.crossrole.server.service.PreparedCall;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Credential reports (IAM User Guide, "Generate credential reports for your AWS account"): {@code
 * GenerateCredentialReport} makes the account's report when it has none younger than four hours (State STARTED;
 * crossrole has it ready at once) and otherwise answers COMPLETE; {@code GetCredentialReport} serves it as
 * {@code text/csv} until it is four hours old. The report is stored, so a restart or another node serves it too.
 *
 * <p>The CSV has IAM's columns, the {@code <root_account>} row first, then a row per user by name; times are ISO 8601
 * in UTC to the second ({@code 2026-11-27T23:47:32+00:00}), and a value IAM does not have is {@code N/A} (no such
 * key, never used), {@code no_information} (a password never used) or {@code not_supported} (the root user's
 * password columns). A user's password columns come from its login profile ({@code password_last_used} is
 * {@code no_information}: crossrole has no console to sign in to; {@code password_next_rotation} when the password
 * policy sets a {@code MaxPasswordAge}) and {@code mfa_active} from its enabled MFA devices; certificates are not
 * emulated: {@code cert_*_active} are {@code false}.
 */
final class CredentialReportOperations {
    /** How long a report is served, and how long a new one is not made. */
    static final Duration LIFETIME = Duration.ofHours(4);
    static final String COLUMNS = "user,arn,user_creation_time,password_enabled,password_last_used,"
            + "password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
            + "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
            + "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,"
            + "access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";
    private static final String NA = "N/A";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx")
            .withZone(ZoneOffset.UTC);

    private final IamDirectory iam;

    CredentialReportOperations(IamSupport support) {
        this.iam = support.iam;
    }

    PreparedCall generateCredentialReport(Call call, Input input) {
        return PreparedCall.of(List.of(IamSupport.check("iam:GenerateCredentialReport", "*", RequestContext.empty())),
                () -> {
                    synchronized (iam) {
                        Instant now = iam.clock().instant();
                        CredentialReport current = iam.credentialReport(account(call)).orElse(null);
                        if (current != null && !expired(current, now)) {
                            return Shape.of().put("State", "COMPLETE");
                        }
                        iam.putCredentialReport(new CredentialReport(account(call), now, csv(account(call), now)));
                        return Shape.of().put("State", "STARTED")
                                .put("Description", "No report exists. Starting a new report generation task");
                    }
                });
    }

    PreparedCall getCredentialReport(Call call, Input input) {
        return PreparedCall.of(List.of(IamSupport.check("iam:GetCredentialReport", "*", RequestContext.empty())), () -> {
            CredentialReport report = iam.credentialReport(account(call)).orElseThrow(() -> new AwsException(
                    "ReportNotPresent", 410, "Credential report not present. Use GenerateCredentialReport to generate one."));
            if (expired(report, iam.clock().instant())) {
                throw new AwsException("ReportExpired", 410,
                        "Credential report has expired. Use GenerateCredentialReport to generate a new one.");
            }
            return Shape.of().put("Content", report.csv().getBytes(StandardCharsets.UTF_8))
                    .put("ReportFormat", "text/csv").put("GeneratedTime", report.generated());
        });
    }

    static boolean expired(CredentialReport report, Instant now) {
        return !report.generated().plus(LIFETIME).isAfter(now);
    }

    static String time(Instant instant) {
        return TIME.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    /** The report of an account as it is now. */
    String csv(String account, Instant now) {
        StringBuilder out = new StringBuilder(COLUMNS).append('\n');
        List<IamUser> users = iam.users(account);
        List<String> root = new ArrayList<>(List.of("<root_account>", "arn:aws:iam::" + account + ":root",
                time(rootCreated(account, users, now)), "not_supported", "no_information", "not_supported",
                "not_supported", "false"));
        root.addAll(keyColumns(iam.accessKeys(account, null)));
        root.addAll(List.of("false", NA, "false", NA));
        line(out, root);
        for (IamUser user : users) {
            List<String> row = new ArrayList<>(List.of(user.name(), user.arn(), time(user.created())));
            row.addAll(passwordColumns(user));
            row.add(Boolean.toString(!iam.mfaDevicesOf(user.userId()).isEmpty()));
            row.addAll(keyColumns(iam.accessKeys(account, user.name())));
            row.addAll(List.of("false", NA, "false", NA));
            line(out, row);
        }
        out.setLength(out.length() - 1); // lines are separated, not terminated
        return out.toString();
    }

    /** {@code password_enabled}, {@code _last_used}, {@code _last_changed}, {@code _next_rotation}. */
    private List<String> passwordColumns(IamUser user) {
        LoginProfile profile = iam.loginProfile(user.userId()).orElse(null);
        if (profile == null) {
            return List.of("false", NA, NA, NA);
        }
        Integer maxAge = iam.passwordPolicy(user.account()).filter(PasswordPolicy::expirePasswords)
                .map(PasswordPolicy::maxPasswordAge).orElse(null);
        return List.of("true", "no_information", time(profile.created()),
                maxAge == null ? NA : time(profile.created().plus(Duration.ofDays(maxAge))));
    }

    /** The five columns of each of the first two access keys, oldest first. */
    private List<String> keyColumns(List<AccessKey> keys) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            if (i >= keys.size()) {
                out.addAll(List.of("false", NA, NA, NA, NA));
                continue;
            }
            AccessKey key = keys.get(i);
            IamDirectory.KeyUse use = iam.keyUse(key.accessKeyId()).orElse(null);
            out.add(Boolean.toString(key.active()));
            out.add(time(key.created()));
            out.add(use == null ? NA : time(use.when()));
            out.add(use == null || use.region() == null ? NA : use.region());
            out.add(use == null || use.service() == null ? NA : use.service());
        }
        return out;
    }

    /**
     * When the account was created, as far as crossrole knows: its oldest user, role, group or key (the configured
     * administrator is made with the account), else now.
     */
    private Instant rootCreated(String account, List<IamUser> users, Instant now) {
        return Stream.of(users.stream().map(IamUser::created), iam.roles(account).stream().map(Role::created),
                        iam.groups(account).stream().map(Group::created),
                        iam.accessKeys(account, null).stream().map(AccessKey::created))
                .flatMap(s -> s).min(Instant::compareTo).orElse(now);
    }

    /** A CSV line: a value with a comma, a quote or a line break is quoted, its quotes doubled (RFC 4180). */
    private static void line(StringBuilder out, List<String> values) {
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i);
            if (i > 0) {
                out.append(',');
            }
            if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
                out.append('"').append(v.replace("\"", "\"\"")).append('"');
            } else {
                out.append(v);
            }
        }
        out.append('\n');
    }
}
