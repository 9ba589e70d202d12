package dev.crossrole.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The command line talks to the server over HTTP with the JDK's client; the server's listener library stays inside it. */
@AnalyzeClasses(packages = "dev.crossrole.cli", importOptions = ImportOption.DoNotIncludeTests.class)
class PackageRulesTest {

    @ArchTest
    static final ArchRule theCommandLineDoesNotUseJetty = noClasses()
            .should().dependOnClassesThat().resideInAPackage("org.eclipse.jetty..");
}
