package io.latentqa.trainer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.latentqa.stack.KafkaTestResource;
import io.latentqa.stack.PostgresTestResource;
import io.latentqa.trainer.TrainerConfig;
import io.latentqa.trainer.messaging.ModelEventProducer;
import io.latentqa.trainer.runtime.ModelHolder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * A failure of a kind the runner does not expect (here: the record source breaks with an exception no client
 * throws on purpose) still ends the run FAILED with its cause; before, the run stayed RUNNING until a restart.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class RunFailureTest {

    @Inject
    RunRepository repository;
    @Inject
    RunService service;
    @Inject
    ModelHolder models;
    @Inject
    ModelEventProducer events;
    @Inject
    TrainerConfig config;

    @Test
    void unexpectedFailureEndsTheRunFailedWithItsCause() throws Exception {
        service.create("run-broken-source", new ObjectMapper().readTree("{\"rank\": 4, \"data\": {\"split\": \"eval\"}}"));
        Run queued = repository.find("run-broken-source").orElseThrow();

        TrainingRunner runner = new TrainingRunner(repository, service, models, filter -> {
            throw new UnsupportedOperationException("records of split " + filter.split() + " are not readable");
        }, events, config);
        runner.train(queued);

        Run failed = repository.find("run-broken-source").orElseThrow();
        assertEquals(RunStatus.FAILED, failed.status(), failed.toString());
        assertTrue(failed.progress().message().contains("UnsupportedOperationException")
                && failed.progress().message().contains("records of split eval are not readable"), failed.progress().message());
    }
}
