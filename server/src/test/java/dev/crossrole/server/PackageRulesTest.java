package dev.crossrole.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * Which package of the server may know which. The services answer AWS operations and see a request only as a
 * {@code Call} with its caller: they stay off the listener ({@code http}), the signature checks ({@code auth})
 * and crossrole's own API ({@code admin}), so each of those can change without touching a service. The pairs
 * that work together depend one way only: {@code auth} and {@code authz} read {@code iam}, never the reverse;
 * {@code admin} is served by {@code http}, which does not know it. Beyond those pairs, no two packages depend on
 * each other at all, however long the way round. Only {@code http} knows the HTTP server library, so the listener
 * can be replaced without touching anything else.
 */
@AnalyzeClasses(packages = "dev.crossrole.server", importOptions = ImportOption.DoNotIncludeTests.class)
class PackageRulesTest {
    private static final String[] SERVICES = {
        "dev.crossrole.server.iam..", "dev.crossrole.server.sts..", "dev.crossrole.server.ecs..",
        "dev.crossrole.server.s3..", "dev.crossrole.server.kms..", "dev.crossrole.server.secretsmanager..", "dev.crossrole.server.ssm..",
        "dev.crossrole.server.logs..", "dev.crossrole.server.ecr..", "dev.crossrole.server.organizations..",
        "dev.crossrole.server.sqs..", "dev.crossrole.server.sns..", "dev.crossrole.server.cloudtrail..",
        "dev.crossrole.server.dynamodb..",
        "dev.crossrole.server.service.."};

    @ArchTest
    static final ArchRule servicesNeverDependOnTheListenerAuthenticationOrAdmin = noClasses()
            .that().resideInAnyPackage(SERVICES)
            .should().dependOnClassesThat().resideInAnyPackage(
                    "dev.crossrole.server.http..", "dev.crossrole.server.auth..", "dev.crossrole.server.admin..");

    @ArchTest
    static final ArchRule iamDoesNotDependOnAuthentication = noClasses()
            .that().resideInAPackage("dev.crossrole.server.iam..")
            .should().dependOnClassesThat().resideInAPackage("dev.crossrole.server.auth..");

    @ArchTest
    static final ArchRule iamDoesNotDependOnAuthorization = noClasses()
            .that().resideInAPackage("dev.crossrole.server.iam..")
            .should().dependOnClassesThat().resideInAPackage("dev.crossrole.server.authz..");

    @ArchTest
    static final ArchRule theListenerDoesNotDependOnAdmin = noClasses()
            .that().resideInAPackage("dev.crossrole.server.http..")
            .should().dependOnClassesThat().resideInAPackage("dev.crossrole.server.admin..");

    @ArchTest
    static final ArchRule packagesAreFreeOfCycles = slices().matching("dev.crossrole.server.(*)..")
            .should().beFreeOfCycles();

    @ArchTest
    static final ArchRule onlyTheListenerUsesJetty = noClasses()
            .that().resideOutsideOfPackage("dev.crossrole.server.http..")
            .should().dependOnClassesThat().resideInAPackage("org.eclipse.jetty..");
}
