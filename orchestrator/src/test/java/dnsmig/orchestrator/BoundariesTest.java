package dnsmig.orchestrator;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noFields;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The boundaries DESIGN.md and STYLE.md draw, checked on the compiled classes of every module
 * on this module's class path (all but the not-yet-built verifier).
 */
class BoundariesTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dnsmig");
    }

    @Test
    void theConverterIsAPureLibrary() {
        noClasses().that().resideInAPackage("dnsmig.convert..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "org.jooq..", "java.sql..", "dnsmig.store..",
                        "dnsmig.orchestrator..", "dnsmig.legacy..")
                .check(classes);
    }

    @Test
    void onlyTheRecordStoreTouchesTheGeneratedSchemaCode() {
        classes().that().resideInAPackage("dnsmig.store.jooq..").should().onlyBeAccessed().byClassesThat().resideInAPackage("dnsmig.store..")
                .check(classes);
    }

    /**
     * DESIGN: the hot path never touches the database. Only the loader and the change follower
     * read the record store (and, for the serving modes, the mode follower and the rollback
     * watcher in {@code control}; the mode itself is held in memory by {@code mode}); what
     * answers queries works on the in-memory index alone. And the server is a library that
     * {@code dnsmig serve} and the demo host, not a Spring application itself.
     */
    @Test
    void theServersHotPathNeverTouchesTheDatabase() {
        noClasses().that().resideInAnyPackage("dnsmig.server.query..", "dnsmig.server.zone..", "dnsmig.server.transport..", "dnsmig.server.xfr..",
                "dnsmig.server.tap..", "dnsmig.server.mode..")
                .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "javax.sql..", "org.jooq..", "org.postgresql..", "com.zaxxer..",
                        "dnsmig.store..", "dnsmig.server.load..")
                .check(classes);
        noClasses().that().resideInAPackage("dnsmig.server..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "dnsmig.orchestrator..", "dnsmig.legacy..")
                .check(classes);
    }

    @Test
    void featuresDoNotReachIntoTheCommandLine() {
        noClasses().that().resideOutsideOfPackage("dnsmig.orchestrator.cli..").should().dependOnClassesThat()
                .resideInAPackage("dnsmig.orchestrator.cli..").check(classes);
    }

    @Test
    void modulesAndFeaturePackagesHaveNoCycles() {
        slices().matching("dnsmig.(*)..").should().beFreeOfCycles().check(classes);
        slices().matching("dnsmig.orchestrator.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void constructorInjectionOnly() {
        noFields().should().beAnnotatedWith("org.springframework.beans.factory.annotation.Autowired").check(classes);
    }
}
