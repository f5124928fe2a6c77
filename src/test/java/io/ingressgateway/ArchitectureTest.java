package io.ingressgateway;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.ingressgateway.model.policy.RoutePolicy;
import io.ingressgateway.translate.annotations.AnnotationFamily;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.gateway.route.Route;

/**
 * The layering the code keeps, as rules over its compiled classes (docs/architecture.md): the pipeline runs one way,
 * source to translate to model to the data plane, and nothing reaches back up it.
 */
class ArchitectureTest {

    private static final String OURS = "io.ingressgateway..";
    private static final String MODEL = "io.ingressgateway.model..";
    private static final String SOURCE = "io.ingressgateway.source..";
    private static final String TRANSLATE = "io.ingressgateway.translate..";
    private static final String CONTROLLER = "io.ingressgateway.controller..";
    private static final String PIPELINE = "io.ingressgateway.pipeline..";
    /** What serves requests: it reads route models, never the cluster objects they were made from. */
    private static final String[] DATA_PLANE = {"io.ingressgateway.gateway..", "io.ingressgateway.resilience..",
        "io.ingressgateway.tls..", "io.ingressgateway.edge..", "io.ingressgateway.globalratelimit.."};

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.ingressgateway", "io.ingressgatewaymanagement");

    @Test
    void theModelDependsOnNothingOfOursNorOnAnyFramework() {
        noClasses().that().resideInAPackage(MODEL)
                .should().dependOnClassesThat(resideInAPackage(OURS).and(resideOutsideOfPackage(MODEL)))
                .orShould().dependOnClassesThat().resideInAnyPackage("org.springframework..", "reactor..",
                        "io.netty..", "io.fabric8..")
                .check(CLASSES);
    }

    @Test
    void theTranslatorDependsOnlyOnTheModelAndTheSourcesTypesAndDoesNoIo() {
        classes().that().resideInAPackage(TRANSLATE)
                .should().onlyDependOnClassesThat(resideOutsideOfPackage(OURS)
                        .or(resideInAnyPackage(TRANSLATE, MODEL, SOURCE)))
                .check(CLASSES);
        noClasses().that().resideInAPackage(TRANSLATE)
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "reactor..",
                        "io.netty..", "io.fabric8.kubernetes.client..", "java.nio.file..", "java.net..")
                .check(CLASSES);
    }

    @Test
    void thePipelinesContractDependsOnlyOnTheModelAndTheSource() {
        classes().that().resideInAPackage(PIPELINE)
                .should().onlyDependOnClassesThat(resideOutsideOfPackage(OURS)
                        .or(resideInAnyPackage(PIPELINE, MODEL, SOURCE)))
                .check(CLASSES);
    }

    @Test
    void theDataPlaneNeverReachesBackIntoTheControlPlane() {
        noClasses().that().resideInAnyPackage(DATA_PLANE)
                .should().dependOnClassesThat().resideInAnyPackage(TRANSLATE, SOURCE, CONTROLLER)
                .check(CLASSES);
    }

    @Test
    void noPackageDependsOnAnotherThatDependsOnIt() {
        slices().matching("io.ingressgateway.(**)").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void noClassReadsTheGatewaysRouteMetadata() {
        // Requests carry their route's ServedRoute, typed; the metadata is written for Actuator's view only.
        noClasses().should().callMethod(Route.class, "getMetadata").check(CLASSES);
    }

    @Test
    void aFeatureIsAParserInTheTranslatorAndATypedPolicyInTheModel() {
        classes().that().implement(AnnotationFamily.class)
                .should().resideInAPackage("io.ingressgateway.translate.annotations")
                .check(CLASSES);
        classes().that().implement(RoutePolicy.class)
                .should().resideInAPackage("io.ingressgateway.model.policy")
                .andShould().beRecords()
                .check(CLASSES);
    }

    @Test
    void onlyTheControllerAssemblesThePipeline() {
        noClasses().that().resideOutsideOfPackages(CONTROLLER, "io.ingressgateway.ops..")
                .should().dependOnClassesThat().resideInAPackage(CONTROLLER)
                .check(CLASSES);
    }
}
