package dev.wci.server.service;

import dev.wci.core.compute.ComputeFailure;
import dev.wci.core.compute.ComputeProvider;
import dev.wci.core.compute.ComputeTarget;
import dev.wci.core.compute.FailureClass;
import dev.wci.core.compute.InvocationRequest;
import dev.wci.core.compute.InvocationResult;
import dev.wci.core.compute.TargetFacts;
import dev.wci.core.compute.TargetValidation;
import dev.wci.core.version.DeploymentVersion;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * An in-memory compute provider: answers validations as told (at once, or held until the test completes them),
 * records every validation and invocation, and accepts invocations unless told to fail them. Thread-safe.
 */
final class FakeComputeProvider implements ComputeProvider {

    static final String TYPE = "fake";
    static final Duration TIMEOUT = Duration.ofMinutes(15);

    /** A validation the provider was asked for, and the stage it answered with. */
    record ValidationCall(ComputeTarget target, DeploymentVersion version, CompletableFuture<TargetValidation> answer) {
    }

    private final Clock clock;
    private final String type;
    private volatile Function<ComputeTarget, TargetValidation> validation;
    private volatile boolean hold;
    private volatile RuntimeException validateThrows;
    private volatile Function<String, InvocationResult> invokeAnswer;
    private volatile Consumer<InvocationRequest> onInvoke = r -> { };
    private final List<ValidationCall> validations = new CopyOnWriteArrayList<>();
    private final List<InvocationRequest> invocations = new CopyOnWriteArrayList<>();

    FakeComputeProvider(Clock clock) {
        this(clock, TYPE);
    }

    /** A provider standing in for {@code type} (e.g. {@code aws-lambda}, for targets read from a configuration). */
    FakeComputeProvider(Clock clock, String type) {
        this.clock = clock;
        this.type = type;
        answerValid();
        acceptInvokes();
    }

    static ComputeTarget target(String address) {
        return new ComputeTarget(TYPE, address);
    }

    /** Valid, checked now (a fresh control-plane check). */
    FakeComputeProvider answerValid() {
        validation = t -> new TargetValidation.Valid(new TargetFacts(TIMEOUT, 512, t.mutableAllowed()), List.of(),
                clock.instant());
        return this;
    }

    /** Valid, with warnings, checked now. */
    FakeComputeProvider answerValidWithWarnings(String... warnings) {
        validation = t -> new TargetValidation.Valid(new TargetFacts(TIMEOUT, 512, t.mutableAllowed()),
                List.of(warnings), clock.instant());
        return this;
    }

    /** Valid, as checked at {@code at}: a result served from the provider's cache. */
    FakeComputeProvider answerValidCheckedAt(Instant at) {
        validation = t -> new TargetValidation.Valid(new TargetFacts(TIMEOUT, 512, t.mutableAllowed()), List.of(), at);
        return this;
    }

    FakeComputeProvider answerInvalid(FailureClass failureClass, String message) {
        validation = t -> new TargetValidation.Invalid(ComputeFailure.of(failureClass, message), clock.instant());
        return this;
    }

    FakeComputeProvider answer(Function<ComputeTarget, TargetValidation> answer) {
        validation = answer;
        return this;
    }

    /** Validations are answered only when the test completes {@link ValidationCall#answer()}. */
    FakeComputeProvider holdValidations(boolean hold) {
        this.hold = hold;
        return this;
    }

    /** {@code validate} throws instead of answering (a provider bug). */
    FakeComputeProvider validateThrows(RuntimeException e) {
        validateThrows = e;
        return this;
    }

    FakeComputeProvider acceptInvokes() {
        invokeAnswer = id -> new InvocationResult.Accepted(id, clock.instant());
        return this;
    }

    FakeComputeProvider failInvokes(FailureClass failureClass, String message) {
        invokeAnswer = id -> new InvocationResult.Failed(id, ComputeFailure.of(failureClass, message));
        return this;
    }

    /** Runs before an invocation is answered (e.g. to move a clock). */
    FakeComputeProvider onInvoke(Consumer<InvocationRequest> hook) {
        onInvoke = hook;
        return this;
    }

    List<ValidationCall> validations() {
        return List.copyOf(validations);
    }

    List<InvocationRequest> invocations() {
        return List.copyOf(invocations);
    }

    /** Workers started so far, over all invocation requests. */
    int workersInvoked() {
        return invocations.stream().mapToInt(InvocationRequest::count).sum();
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public CompletionStage<TargetValidation> validate(ComputeTarget target, DeploymentVersion version) {
        RuntimeException e = validateThrows;
        if (e != null) {
            throw e;
        }
        CompletableFuture<TargetValidation> answer = new CompletableFuture<>();
        validations.add(new ValidationCall(target, version, answer));
        if (!hold) {
            answer.complete(validation.apply(target));
        }
        return answer;
    }

    @Override
    public CompletionStage<List<InvocationResult>> invoke(InvocationRequest request) {
        invocations.add(request);
        onInvoke.accept(request);
        List<InvocationResult> results = new ArrayList<>();
        for (String id : request.invocationIds()) {
            results.add(invokeAnswer.apply(id));
        }
        return CompletableFuture.completedFuture(results);
    }
}
