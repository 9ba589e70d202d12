package dev.crossrole.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Write-time validation of a policy document as one {@link PolicyKind}, reporting the first problem
 * with the error AWS returns for it. The order of the checks is AWS's: request constraints (length,
 * characters, quota), JSON syntax, structure, version, "legacy parsing" (effect case, dates, ARN shape),
 * Sid characters and uniqueness, actions, resource format, action vendors, resources, then the rules of the kind.
 */
final class PolicyValidator {
    static final String SYNTAX = "Syntax errors in policy.";
    static final String VERSION = "Policy document must be version 2012-10-17 or greater.";
    static final String LEGACY = "The policy failed legacy parsing";
    static final String SID_UNIQUE = "Statement IDs (SID) in a single policy must be unique.";
    /** IAM's answer to a Sid outside [0-9A-Za-z] (recorded in CloudTrail for CreatePolicy, and quoted in cfn-lint#1376). */
    static final String SID_CHARACTERS = "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies"
            + " the regular expression [0-9A-Za-z]*";
    /**
     * S3's answer to a bucket-policy statement that pairs NotPrincipal with Allow. AWS supports NotPrincipal
     * only with Deny (IAM User Guide, reference_policies_elements_notprincipal.html); S3's exact text for
     * this case is not recorded, so crossrole answers with S3's message for a principal it refuses.
     */
    static final String S3_INVALID_PRINCIPAL = "Invalid principal in policy";
    static final String NO_ACTIONS = "Policy statement must contain actions.";
    static final String NO_RESOURCES = "Policy statement must contain resources.";
    static final String NO_VENDOR = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";
    static final String ONE_COLON = "Actions/Condition can contain only one colon.";
    static final String HAS_PRINCIPAL = "Policy document should not specify a principal.";
    static final String TRUST_INVALID_JSON = "This policy contains invalid Json";
    static final String TRUST_ACTIONS = "AssumeRole policy may only specify STS AssumeRole actions.";
    static final String TRUST_NO_PRINCIPAL = "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException:"
            + " The passed in policy has a statement with no principals!";
    static final String ORGANIZATIONS_MESSAGE = "The provided policy document does not meet the requirements of the"
            + " specified policy type.";

    private static final Set<String> TOP_LEVEL = Set.of("Version", "Id", "Statement");
    private static final Set<String> STATEMENT_ELEMENTS = Set.of("Sid", "Effect", "Principal", "NotPrincipal",
            "Action", "NotAction", "Resource", "NotResource", "Condition");
    private static final Set<String> PRINCIPAL_TYPES = Set.of("AWS", "Service", "Federated", "CanonicalUser");
    private static final List<String> IAM_RESOURCE_PREFIXES = List.of("user/", "federated-user/", "role/", "group/",
            "instance-profile/", "mfa/", "server-certificate/", "policy/", "sms-mfa/", "saml-provider/",
            "oidc-provider/", "report/", "access-report/");
    private static final Set<String> TRUST_ACTION_NAMES = Set.of("sts:assumerole", "sts:assumerolewithsaml",
            "sts:assumerolewithwebidentity", "sts:tagsession", "sts:setsourceidentity", "sts:setcontext");
    private static final Pattern IAM_NAME = Pattern.compile("[\\w+=,.@-]+");
    private static final Pattern FEDERATED_HOST = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9.-]*\\.[a-zA-Z]{2,}(/[\\w./-]*)?");
    private static final Pattern CANONICAL_USER = Pattern.compile("[0-9a-f]{64}");

    /** Which rules a document is held to: it depends on where the document comes from. */
    enum Rules {
        /** A document a customer submits: every rule of its kind, with the request-length limits and size quotas. */
        CUSTOMER,
        /** AWS's own documents: every rule of the grammar; the limits and quotas bind only what customers submit. */
        AWS_MANAGED,
        /**
         * A document accepted when it was written, read back from storage: held to the rules crossrole has always
         * enforced, but not to those it added since (see {@link #sinceStored()}), so that it still loads. What
         * those rules forbid is compiled so that it never widens access.
         */
        STORED;

        boolean customerLimits() {
            return this == CUSTOMER;
        }

        /** Whether the rules crossrole did not always enforce apply: Sid characters, Allow with NotPrincipal, NullIfExists. */
        boolean sinceStored() {
            return this != STORED;
        }
    }

    private final PolicyKind kind;
    /** The grammar the document is held to: a KMS key policy is a resource-based policy (Principal, Resource). */
    private final PolicyKind grammar;
    private final PrincipalDirectory directory;
    private final String text;
    private final Rules rules;

    JsonNode root;
    final List<JsonNode> statements = new ArrayList<>();

    PolicyValidator(PolicyKind kind, PrincipalDirectory directory, String text) {
        this(kind, directory, text, Rules.CUSTOMER);
    }

    PolicyValidator(PolicyKind kind, PrincipalDirectory directory, String text, Rules rules) {
        this.kind = kind;
        this.grammar = kind == PolicyKind.KEY ? PolicyKind.RESOURCE : kind;
        this.directory = directory == null ? PrincipalDirectory.ANY : directory;
        this.text = text;
        this.rules = rules;
    }

    /** The first problem AWS would report, or {@code null} when the document is valid. */
    Diagnostic validate() {
        Diagnostic constraint = requestConstraints();
        if (constraint != null) {
            return constraint;
        }
        Finding finding = findFirstProblem();
        if (finding == null) {
            return null;
        }
        return render(finding);
    }

    /** A problem in IAM's vocabulary before it is rendered in the vocabulary of the policy's service. */
    private record Finding(String iamMessage, String location, Category category, String detail) {
        Finding(String iamMessage, String location, Category category) {
            this(iamMessage, location, category, null);
        }
    }

    private enum Category { JSON, SYNTAX, OTHER }

    private Diagnostic render(Finding finding) {
        switch (kind) {
            case TRUST:
                if (finding.category == Category.JSON) {
                    return Diagnostic.malformed(TRUST_INVALID_JSON, "");
                }
                return Diagnostic.malformed(finding.iamMessage, finding.location);
            case SCP:
            case RCP:
                return new Diagnostic("MalformedPolicyDocumentException", 400, ORGANIZATIONS_MESSAGE,
                        finding.location, finding.iamMessage);
            case RESOURCE:
                return new Diagnostic("MalformedPolicy", 400, finding.iamMessage, finding.location, finding.detail);
            case KEY:
                return new Diagnostic("MalformedPolicyDocumentException", 400, finding.iamMessage, finding.location,
                        finding.detail);
            default:
                return Diagnostic.malformed(finding.iamMessage, finding.location);
        }
    }

    // ---- request constraints ----------------------------------------------------------------

    private Diagnostic requestConstraints() {
        String parameter;
        switch (kind) {
            case TRUST:
                parameter = "assumeRolePolicyDocument";
                break;
            case SESSION:
                parameter = "policy";
                break;
            case IDENTITY:
            case INLINE:
            case BOUNDARY:
                parameter = "policyDocument";
                break;
            default:
                parameter = null;
        }
        if (parameter != null) {
            int maxLength = kind == PolicyKind.SESSION ? 2048 : 131072;
            if (text.isEmpty()) {
                return validationError(parameter, "Member must have length greater than or equal to 1");
            }
            if (rules.customerLimits() && text.length() > maxLength) {
                return validationError(parameter, "Member must have length less than or equal to " + maxLength);
            }
        }
        // One pass: IAM's character set, and the size without whitespace that IAM's quotas count.
        int size = 0;
        boolean charactersOk = true;
        for (char c : text.toCharArray()) {
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                size++;
                charactersOk &= c >= 0x20 && c <= 0xFF;
            }
        }
        if (parameter != null && !charactersOk) {
            return validationError(parameter, "Member must satisfy regular expression pattern:"
                    + " [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+");
        }
        if (!rules.customerLimits()) {
            return null;
        }
        switch (kind) {
            case IDENTITY:
            case BOUNDARY:
                if (size > 6144) {
                    return new Diagnostic("LimitExceeded", 409, "Cannot exceed quota for PolicySize: 6144", "",
                            size + " characters without whitespace");
                }
                break;
            case TRUST:
                if (size > 2048) {
                    return new Diagnostic("LimitExceeded", 409, "Cannot exceed quota for ACLSizePerRole: 2048", "",
                            size + " characters without whitespace");
                }
                break;
            case SCP:
            case RCP:
                if (size > 5120) {
                    return new Diagnostic("ConstraintViolationException", 400,
                            "You have exceeded the maximum size of a policy document.", "",
                            size + " characters without whitespace; the quota is 5120");
                }
                break;
            case RESOURCE:
                if (text.length() > 20480) {
                    return new Diagnostic("PolicyTooLarge", 400, "Policies must be less than 20 KB.", "",
                            text.length() + " characters");
                }
                break;
            default:
                break;
        }
        return null;
    }

    private static Diagnostic validationError(String parameter, String constraint) {
        return new Diagnostic("ValidationError", 400, "1 validation error detected: Value at '" + parameter
                + "' failed to satisfy constraint: " + constraint, "", null);
    }

    // ---- the IAM check sequence -------------------------------------------------------------

    private Finding findFirstProblem() {
        root = PolicyJson.readOrNull(text);
        if (root == null) {
            return new Finding(grammar == PolicyKind.RESOURCE
                    ? "Policies must be valid JSON and the first byte must be '{'" : SYNTAX, "", Category.JSON);
        }
        String syntaxLocation = syntaxProblem();
        if (syntaxLocation != null) {
            return new Finding(grammar == PolicyKind.RESOURCE ? "Invalid policy syntax." : SYNTAX, syntaxLocation,
                    Category.SYNTAX);
        }
        boolean managed = grammar == PolicyKind.IDENTITY || grammar == PolicyKind.BOUNDARY
                || grammar == PolicyKind.SCP || grammar == PolicyKind.RCP;
        if (managed && !"2012-10-17".equals(textOf(root.get("Version")))) {
            return new Finding(VERSION, "Version", Category.OTHER);
        }
        if (!grammar.hasPrincipals()) {
            for (int i = 0; i < statements.size(); i++) {
                JsonNode statement = statements.get(i);
                if (statement.has("Principal") || statement.has("NotPrincipal")) {
                    return new Finding(HAS_PRINCIPAL, at(i, statement.has("Principal") ? "Principal" : "NotPrincipal"),
                            Category.OTHER);
                }
            }
        }
        String legacy = legacyProblem();
        if (legacy != null) {
            return new Finding(LEGACY, legacy, Category.OTHER);
        }
        ResourceFormat resourceFormat = grammar == PolicyKind.TRUST || grammar == PolicyKind.RESOURCE
                ? null : resourceFormatProblem();
        if (resourceFormat != null && resourceFormat.legacy) {
            return new Finding(LEGACY, resourceFormat.location, Category.OTHER);
        }
        if (grammar == PolicyKind.TRUST) {
            for (int i = 0; i < statements.size(); i++) {
                for (String field : new String[] {"Resource", "NotResource", "NotPrincipal"}) {
                    if (statements.get(i).has(field)) {
                        return new Finding("Has prohibited field " + field, at(i, field), Category.OTHER);
                    }
                }
            }
        }
        Finding sid = sidProblem();
        if (sid != null) {
            return sid;
        }
        if (grammar == PolicyKind.RESOURCE) {
            return resourcePolicyProblem();
        }
        for (int i = 0; i < statements.size(); i++) {
            if (!hasNonEmpty(statements.get(i), "Action", "NotAction")) {
                return new Finding(NO_ACTIONS, at(i, "Action"), Category.OTHER);
            }
        }
        if (resourceFormat != null) {
            return new Finding(resourceFormat.message, resourceFormat.location, Category.OTHER);
        }
        Finding vendor = actionVendorProblem();
        if (vendor != null) {
            return vendor;
        }
        if (grammar == PolicyKind.TRUST) {
            return trustProblem();
        }
        for (int i = 0; i < statements.size(); i++) {
            if (!hasNonEmpty(statements.get(i), "Resource", "NotResource")) {
                return new Finding(NO_RESOURCES, at(i, "Resource"), Category.OTHER);
            }
        }
        if (grammar == PolicyKind.RCP) {
            return rcpProblem();
        }
        return null;
    }

    private static String at(int statement, String element) {
        return "Statement[" + statement + "]." + element;
    }

    private static String textOf(JsonNode node) {
        return node != null && node.isTextual() ? node.textValue() : null;
    }

    // ---- structure --------------------------------------------------------------------------

    /** Where the document breaks the grammar, or {@code null}. */
    private String syntaxProblem() {
        if (!root.isObject()) {
            return "";
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!TOP_LEVEL.contains(field)) {
                return field;
            }
        }
        JsonNode version = root.get("Version");
        if (version != null && !(version.isTextual()
                && (version.textValue().equals("2012-10-17") || version.textValue().equals("2008-10-17")))) {
            return "Version";
        }
        JsonNode id = root.get("Id");
        if (id != null && !id.isTextual()) {
            return "Id";
        }
        JsonNode statement = root.get("Statement");
        if (statement == null) {
            return "Statement";
        }
        if (statement.isObject()) {
            statements.add(statement);
        } else if (statement.isArray()) {
            statement.forEach(statements::add);
        } else {
            return "Statement";
        }
        if (statements.isEmpty()) {
            return "Statement";
        }
        for (int i = 0; i < statements.size(); i++) {
            String problem = statementSyntaxProblem(statements.get(i));
            if (problem != null) {
                return "Statement[" + i + "]" + (problem.isEmpty() ? "" : "." + problem);
            }
        }
        return null;
    }

    private String statementSyntaxProblem(JsonNode statement) {
        if (!statement.isObject()) {
            return "";
        }
        for (Iterator<String> it = statement.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!STATEMENT_ELEMENTS.contains(field)) {
                return field;
            }
        }
        if (statement.has("Resource") && statement.has("NotResource")) {
            return "NotResource";
        }
        if (statement.has("Action") && statement.has("NotAction")) {
            return "NotAction";
        }
        if (statement.has("Principal") && statement.has("NotPrincipal")) {
            return "NotPrincipal";
        }
        JsonNode effect = statement.get("Effect");
        if (effect == null || !effect.isTextual()) {
            return "Effect";
        }
        String e = effect.textValue().toLowerCase(Locale.ROOT);
        if (!e.equals("allow") && !e.equals("deny")) {
            return "Effect";
        }
        for (String field : new String[] {"Action", "NotAction", "Resource", "NotResource"}) {
            JsonNode value = statement.get(field);
            if (value != null && !isStringOrStringList(value)) {
                return field;
            }
        }
        for (String field : new String[] {"Principal", "NotPrincipal"}) {
            JsonNode value = statement.get(field);
            if (value != null && !isPrincipalShape(value)) {
                return field;
            }
        }
        JsonNode sid = statement.get("Sid");
        if (sid != null && !sid.isTextual()) {
            return "Sid";
        }
        JsonNode condition = statement.get("Condition");
        if (condition != null) {
            if (!condition.isObject()) {
                return "Condition";
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = condition.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> block = it.next();
                if (!block.getValue().isObject()) {
                    return "Condition." + block.getKey();
                }
                for (Iterator<JsonNode> values = block.getValue().elements(); values.hasNext(); ) {
                    if (!isConditionValue(values.next())) {
                        return "Condition." + block.getKey();
                    }
                }
                // An operator outside the grammar (NullIfExists among them: IfExists cannot be added to Null)
                // is a syntax error, as IAM answers for any unknown operator; an empty block constrains nothing.
                ConditionOperator.Parsed op = ConditionOperator.parse(block.getKey(), true);
                boolean known = op != null && (op.supported() || !rules.sinceStored());
                if (!known && block.getValue().size() > 0) {
                    return "Condition." + block.getKey();
                }
            }
        }
        return null;
    }

    /** A string, or an array of strings; array entries may be JSON null, which AWS ignores. */
    private static boolean isStringOrStringList(JsonNode value) {
        if (value.isTextual()) {
            return true;
        }
        if (!value.isArray()) {
            return false;
        }
        for (JsonNode item : value) {
            if (!item.isTextual() && !item.isNull()) {
                return false;
            }
        }
        return true;
    }

    private static boolean isPrincipalShape(JsonNode value) {
        if (value.isTextual()) {
            return value.textValue().equals("*");
        }
        if (!value.isObject() || value.size() == 0) {
            return false;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (!PRINCIPAL_TYPES.contains(entry.getKey()) || !isStringOrStringList(entry.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** Condition values: a scalar (quotation marks are optional for numbers and booleans) or an array of scalars. */
    private static boolean isConditionValue(JsonNode value) {
        if (value.isValueNode()) {
            return !value.isNull();
        }
        if (!value.isArray()) {
            return false;
        }
        for (JsonNode item : value) {
            if (!item.isValueNode()) {
                return false;
            }
        }
        return true;
    }

    static List<String> strings(JsonNode value) {
        List<String> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        if (value.isArray()) {
            for (JsonNode item : value) {
                if (!item.isNull()) {
                    out.add(item.asText());
                }
            }
        } else if (!value.isNull()) {
            out.add(value.asText());
        }
        return out;
    }

    private static boolean hasNonEmpty(JsonNode statement, String element, String notElement) {
        for (String field : new String[] {element, notElement}) {
            JsonNode value = statement.get(field);
            if (value != null) {
                return !value.isArray() || value.size() > 0;
            }
        }
        return false;
    }

    // ---- legacy parsing ---------------------------------------------------------------------

    private String legacyProblem() {
        for (int i = 0; i < statements.size(); i++) {
            JsonNode statement = statements.get(i);
            String effect = statement.get("Effect").textValue();
            if (!effect.equals("Allow") && !effect.equals("Deny")) {
                return at(i, "Effect");
            }
            JsonNode condition = statement.get("Condition");
            if (condition == null) {
                continue;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = condition.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> block = it.next();
                ConditionOperator.Parsed op = ConditionOperator.parse(block.getKey(), true);
                if (op == null || op.base().family != ConditionOperator.Family.DATE) {
                    continue;
                }
                for (JsonNode values : block.getValue()) {
                    for (String value : strings(values)) {
                        if (!LegacyDates.acceptable(value)) {
                            return at(i, "Condition." + block.getKey());
                        }
                    }
                }
            }
        }
        return null;
    }

    // ---- resources --------------------------------------------------------------------------

    private record ResourceFormat(String message, String location, boolean legacy) {}

    /**
     * IAM checks every Resource entry, then every NotResource entry; within a list the entries are
     * visited in descending order and the last problem found is the one reported. Where no format
     * problem has been found yet, an ARN with too few parts fails "legacy parsing" instead.
     */
    private ResourceFormat resourceFormatProblem() {
        ResourceFormat found = null;
        for (String element : new String[] {"Resource", "NotResource"}) {
            for (int i = 0; i < statements.size(); i++) {
                JsonNode value = statements.get(i).get(element);
                if (value == null) {
                    continue;
                }
                List<String> entries = strings(value);
                if (value.isArray()) {
                    entries.sort(java.util.Comparator.reverseOrder());
                }
                for (String resource : entries) {
                    String message = resourceFormatMessage(resource, rules == Rules.AWS_MANAGED);
                    if (message != null) {
                        found = new ResourceFormat(message, at(i, element), false);
                    }
                }
                if (found == null) {
                    for (String resource : entries) {
                        if (!resource.equals("*") && failsLegacyArnParsing(resource)) {
                            return new ResourceFormat(LEGACY, at(i, element), true);
                        }
                    }
                }
            }
        }
        return found;
    }

    private static boolean failsLegacyArnParsing(String resource) {
        int colons = 0;
        int second = -1;
        int third = -1;
        for (int i = 0; i < resource.length(); i++) {
            if (resource.charAt(i) == ':') {
                colons++;
                if (colons == 2) {
                    second = i;
                } else if (colons == 3) {
                    third = i;
                }
            }
        }
        if (colons < 5 && resource.contains("::")) {
            return true;
        }
        // The third field (the service) must be present and non-empty.
        return second < 0 || (third < 0 ? second == resource.length() - 1 : third == second + 1);
    }

    /** IAM's message for a Resource entry that is not {@code *} or an ARN it accepts, or {@code null}. */
    static String resourceFormatMessage(String resource) {
        return resourceFormatMessage(resource, false);
    }

    static String resourceFormatMessage(String resource, boolean awsManaged) {
        if (resource.equals("*")) {
            return null;
        }
        // Fast path for the common well-formed ARN: only IAM ARNs and S3 ARNs with a region have more rules.
        if (resource.startsWith("arn:aws:")) {
            int serviceEnd = resource.indexOf(':', 8);
            if (serviceEnd > 8) {
                boolean iam = serviceEnd == 11 && resource.startsWith("iam", 8);
                boolean s3 = serviceEnd == 10 && resource.startsWith("s3", 8);
                if (!iam && (!s3 || resource.startsWith(":", serviceEnd + 1))) {
                    return null;
                }
            }
        }
        int first = resource.indexOf(':');
        if (first < 0) {
            return "Resource " + resource + " must be in ARN format or \"*\".";
        }
        String rest = resource.substring(first + 1);
        int second = rest.indexOf(':');
        String partition = second < 0 ? rest : rest.substring(0, second);
        String afterPartition = second < 0 ? "" : rest.substring(second + 1);
        if (!partition.equals("aws") && !partition.equals("*")) {
            String[] parts = afterPartition.split(":", -1);
            String arn1 = !parts[0].isEmpty() || parts.length > 1 ? parts[0] : "*";
            String arn2 = parts.length > 1 ? parts[1] : "*";
            String arn3 = parts.length > 2 ? parts[2] : "*";
            String arn4 = parts.length > 3 ? String.join(":", java.util.Arrays.copyOfRange(parts, 3, parts.length)) : "*";
            return "Partition \"" + partition + "\" is not valid for resource \"arn:" + partition + ":" + arn1 + ":"
                    + arn2 + ":" + arn3 + ":" + arn4 + "\".";
        }
        if (second < 0) {
            return "Resource vendor must be fully qualified and cannot contain regexes.";
        }
        int third = afterPartition.indexOf(':');
        String service = third < 0 ? afterPartition : afterPartition.substring(0, third);
        String afterService = third < 0 ? "" : afterPartition.substring(third + 1);
        if (service.equals("iam") && !afterService.startsWith(":")) {
            return "IAM resource " + resource + " cannot contain region information.";
        }
        // Bucket and object ARNs carry neither region nor account; regional S3 resources (access points,
        // batch jobs, Storage Lens) carry both, and are accepted.
        if (service.equals("s3") && !afterService.startsWith(":") && afterPart(afterService).startsWith(":")) {
            return "Resource " + resource + " can not contain region information.";
        }
        if (service.equals("iam")) {
            String path = afterPart(afterPart(afterService));
            // AWS's own root-task policies name arn:aws:iam::*:root, which IAM refuses in customers' documents.
            if (!path.equals("*") && IAM_RESOURCE_PREFIXES.stream().noneMatch(path::startsWith)
                    && !(awsManaged && path.equals("root"))) {
                return "IAM resource path must either be \"*\" or start with " + String.join(", ", IAM_RESOURCE_PREFIXES)
                        + ".";
            }
        }
        return null;
    }

    private static String afterPart(String text) {
        int colon = text.indexOf(':');
        return colon < 0 ? "" : text.substring(colon + 1);
    }

    // ---- sids and actions -------------------------------------------------------------------

    /**
     * The Sid characters each service accepts. The IAM User Guide (reference_policies_elements_sid.html) names
     * A-Z, a-z and 0-9, and so does IAM's message; yet the recorded CreatePolicy corpus accepts Sids with
     * underscores (valid[40] and valid[41]), so IAM's own policies (identity, inline, boundary, trust, session)
     * admit the underscore too. Organizations refuses it in SCPs (awsdocs/iam-user-guide#282), and RCPs are
     * held to the same rule. Bucket policies accept more: S3's own examples have Sids with spaces.
     */
    private boolean sidCharactersAccepted(String sid) {
        if (grammar == PolicyKind.RESOURCE) {
            return true;
        }
        boolean underscore = grammar != PolicyKind.SCP && grammar != PolicyKind.RCP;
        for (int i = 0; i < sid.length(); i++) {
            char c = sid.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (underscore && c == '_'))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Sids with characters the service refuses, then repeated Sids. IAM reports the characters first: the
     * same document, with two equal Sids holding a hyphen, was refused for its characters, and for the
     * repetition once the hyphen was gone (Wolox/carthage_cache#22).
     */
    private Finding sidProblem() {
        if (rules.sinceStored()) {
            for (int i = 0; i < statements.size(); i++) {
                String sid = textOf(statements.get(i).get("Sid"));
                if (sid != null && !sidCharactersAccepted(sid)) {
                    return new Finding(SID_CHARACTERS, at(i, "Sid"), Category.OTHER);
                }
            }
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < statements.size(); i++) {
            String sid = textOf(statements.get(i).get("Sid"));
            if (sid != null && !sid.isEmpty() && !seen.add(sid)) {
                return new Finding(SID_UNIQUE, at(i, "Sid"), Category.OTHER);
            }
        }
        return null;
    }

    private Finding actionVendorProblem() {
        for (String element : new String[] {"Action", "NotAction"}) {
            for (int i = 0; i < statements.size(); i++) {
                for (String action : strings(statements.get(i).get(element))) {
                    String message = actionVendorMessage(action);
                    if (message != null) {
                        return new Finding(message, at(i, element), Category.OTHER);
                    }
                }
            }
        }
        return null;
    }

    static String actionVendorMessage(String action) {
        int colon = action.indexOf(':');
        if (colon < 0) {
            return action.equals("*") ? null : NO_VENDOR;
        }
        if (action.indexOf(':', colon + 1) >= 0) {
            return ONE_COLON;
        }
        if (colon == 1 && action.charAt(0) == '*') {
            return null;
        }
        for (int i = 0; i < colon; i++) {
            char c = action.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) {
                return "Vendor " + action.substring(0, colon) + " is not valid";
            }
        }
        return null;
    }

    // ---- trust policies ---------------------------------------------------------------------

    private Finding trustProblem() {
        for (int i = 0; i < statements.size(); i++) {
            for (String action : strings(statements.get(i).get("Action"))) {
                if (!isTrustAction(action)) {
                    return new Finding(TRUST_ACTIONS, at(i, "Action"), Category.OTHER);
                }
            }
            if (statements.get(i).has("NotAction")) {
                return new Finding(TRUST_ACTIONS, at(i, "NotAction"), Category.OTHER);
            }
        }
        for (int i = 0; i < statements.size(); i++) {
            if (!statements.get(i).has("Principal")) {
                return new Finding(TRUST_NO_PRINCIPAL, at(i, "Principal"), Category.OTHER);
            }
        }
        for (int i = 0; i < statements.size(); i++) {
            String invalid = invalidPrincipal(statements.get(i).get("Principal"), true);
            if (invalid != null) {
                return new Finding("Invalid principal in policy: " + invalid, at(i, "Principal"), Category.OTHER);
            }
        }
        return null;
    }

    /** Trust policies may grant the STS assume-role family only: {@code *}, {@code sts:*} or a named assume action. */
    private static boolean isTrustAction(String action) {
        if (action.equals("*")) {
            return true;
        }
        String lower = action.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("sts:")) {
            return false;
        }
        if (lower.indexOf('*') >= 0 || lower.indexOf('?') >= 0) {
            Glob glob = Glob.of(lower, true);
            return TRUST_ACTION_NAMES.stream().anyMatch(glob::matches);
        }
        return TRUST_ACTION_NAMES.contains(lower);
    }

    /** AWS's rendering ({@code "AWS":"arn..."}) of the first principal value it rejects, or {@code null}. */
    private String invalidPrincipal(JsonNode principal, boolean checkExistence) {
        if (principal.isTextual()) {
            return null;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = principal.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            for (String value : strings(entry.getValue())) {
                boolean valid;
                String label;
                switch (entry.getKey()) {
                    case "AWS":
                        label = "AWS";
                        valid = isAwsPrincipal(value) && (!checkExistence || exists(value));
                        break;
                    case "Service":
                        label = "SERVICE";
                        valid = Principal.SERVICE_PRINCIPAL.matcher(value).matches();
                        break;
                    case "Federated":
                        label = "FEDERATED";
                        valid = isFederatedPrincipal(value);
                        break;
                    default:
                        label = "CANONICAL_USER";
                        valid = grammar != PolicyKind.TRUST && CANONICAL_USER.matcher(value).matches();
                        break;
                }
                if (!valid) {
                    return "\"" + label + "\":\"" + value + "\"";
                }
            }
        }
        return null;
    }

    private boolean exists(String value) {
        PrincipalEntry entry = PrincipalEntry.classify(PrincipalEntry.Type.AWS, value);
        if (entry.kind() == PrincipalEntry.Kind.USER || entry.kind() == PrincipalEntry.Kind.ROLE) {
            return directory.exists(value);
        }
        return true;
    }

    /** {@code *}, an account id, a root/user/role ARN, a role-session or federated-user ARN, or a unique id; no partial wildcards. */
    static boolean isAwsPrincipal(String value) {
        if (value.equals("*") || Principal.ACCOUNT_ID.matcher(value).matches() || Principal.UNIQUE_ID.matcher(value).matches()) {
            return true;
        }
        String[] parts = value.split(":", 6);
        if (parts.length != 6 || !parts[0].equals("arn") || !parts[1].startsWith("aws") || !parts[3].isEmpty()
                || !Principal.ACCOUNT_ID.matcher(parts[4]).matches()) {
            return false;
        }
        String resource = parts[5];
        if (parts[2].equals("iam")) {
            if (resource.equals("root")) {
                return true;
            }
            if (resource.startsWith("user/") || resource.startsWith("role/")) {
                String[] path = resource.split("/", -1);
                for (int i = 1; i < path.length; i++) {
                    if (!IAM_NAME.matcher(path[i]).matches()) {
                        return false;
                    }
                }
                return path.length >= 2;
            }
            return false;
        }
        if (parts[2].equals("sts")) {
            String[] pieces = resource.split("/", -1);
            if (pieces.length == 3 && pieces[0].equals("assumed-role")) {
                return IAM_NAME.matcher(pieces[1]).matches() && IAM_NAME.matcher(pieces[2]).matches();
            }
            return pieces.length == 2 && pieces[0].equals("federated-user") && IAM_NAME.matcher(pieces[1]).matches();
        }
        return false;
    }

    private static boolean isFederatedPrincipal(String value) {
        if (value.startsWith("arn:")) {
            String[] parts = value.split(":", 6);
            return parts.length == 6 && parts[2].equals("iam") && Principal.ACCOUNT_ID.matcher(parts[4]).matches()
                    && (parts[5].startsWith("saml-provider/") || parts[5].startsWith("oidc-provider/"));
        }
        return FEDERATED_HOST.matcher(value).matches();
    }

    // ---- resource-based policies (bucket policies) ---------------------------------------

    private Finding resourcePolicyProblem() {
        for (int i = 0; i < statements.size(); i++) {
            JsonNode statement = statements.get(i);
            if (!statement.has("Principal") && !statement.has("NotPrincipal")) {
                return new Finding("Missing required field Principal", at(i, "Principal"), Category.OTHER);
            }
            if (!hasNonEmpty(statement, "Action", "NotAction")) {
                return new Finding("Missing required field Action", at(i, "Action"), Category.OTHER);
            }
            if (!hasNonEmpty(statement, "Resource", "NotResource")) {
                return new Finding("Missing required field Resource", at(i, "Resource"), Category.OTHER);
            }
        }
        for (int i = 0; i < statements.size(); i++) {
            JsonNode statement = statements.get(i);
            for (String element : new String[] {"Resource", "NotResource"}) {
                for (String resource : strings(statement.get(element))) {
                    if (!resource.equals("*") && (Values.arnComponents(resource) == null
                            || resourceFormatMessage(resource) != null)) {
                        return new Finding("Policy has invalid resource", at(i, element), Category.OTHER);
                    }
                }
            }
            for (String element : new String[] {"Action", "NotAction"}) {
                for (String action : strings(statement.get(element))) {
                    if (actionVendorMessage(action) != null) {
                        return new Finding("Policy has invalid action", at(i, element), Category.OTHER);
                    }
                }
            }
            for (String element : new String[] {"Principal", "NotPrincipal"}) {
                JsonNode principal = statement.get(element);
                if (principal != null && invalidPrincipal(principal, true) != null) {
                    return new Finding(S3_INVALID_PRINCIPAL, at(i, element), Category.OTHER);
                }
            }
            if (rules.sinceStored() && statement.has("NotPrincipal") && statement.get("Effect").textValue().equals("Allow")) {
                return new Finding(S3_INVALID_PRINCIPAL, at(i, "NotPrincipal"), Category.OTHER,
                        "NotPrincipal is supported only with \"Effect\": \"Deny\"");
            }
        }
        return null;
    }

    // ---- resource control policies --------------------------------------------------------

    private Finding rcpProblem() {
        for (int i = 0; i < statements.size(); i++) {
            JsonNode statement = statements.get(i);
            if (statement.has("NotPrincipal")) {
                return new Finding("RCPs do not support NotPrincipal", at(i, "NotPrincipal"), Category.OTHER);
            }
            if (statement.has("NotAction")) {
                return new Finding("RCPs do not support NotAction", at(i, "NotAction"), Category.OTHER);
            }
            JsonNode principal = statement.get("Principal");
            boolean star = principal != null && (principal.isTextual()
                    || (principal.size() == 1 && "*".equals(textOf(principal.get("AWS")))));
            if (!star) {
                return new Finding("The Principal of an RCP statement must be \"*\"", at(i, "Principal"), Category.OTHER);
            }
            if (statement.get("Effect").textValue().equals("Allow")) {
                boolean fullAccess = strings(statement.get("Action")).equals(List.of("*"))
                        && strings(statement.get("Resource")).equals(List.of("*")) && !statement.has("Condition");
                if (!fullAccess) {
                    return new Finding("RCPs may only Deny, apart from the full-access Allow of RCPFullAWSAccess",
                            at(i, "Effect"), Category.OTHER);
                }
            }
        }
        return null;
    }
}
