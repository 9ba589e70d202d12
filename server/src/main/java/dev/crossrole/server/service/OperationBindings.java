package dev.crossrole.server.service;

import dev.crossrole.server.model.OperationModel;
import dev.crossrole.server.model.ServiceModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The operations a service implements, bound by their model names, each with the authorizations it asks for, and
 * indexed by the model's operation index (a request finds its operation with one array read once the model has named
 * it). Binding a name the model lacks, or one name twice, fails at start, so a typo never becomes a silent
 * {@code NotImplemented}. {@code H} is how the service's operations are called: {@link Operation} for the services
 * whose wire is read and written by the model's codecs, S3's own type for its streamed objects.
 */
public class OperationBindings<H> {
    private final ServiceModel model;
    private final Object[] operations;
    private final List<List<Authorization>> authorizations;

    public OperationBindings(ServiceModel model) {
        this.model = model;
        this.operations = new Object[model.operations().size()];
        this.authorizations = new ArrayList<>(Collections.nCopies(operations.length, List.of()));
    }

    /**
     * Binds an operation by its model name, with the authorizations it asks for.
     *
     * @throws IllegalArgumentException when the model has no such operation or it is bound already
     */
    public OperationBindings<H> on(String name, H operation, Authorization... asks) {
        OperationModel modelled = model.operation(name);
        if (modelled == null) {
            throw new IllegalArgumentException("the model of " + model.id() + " has no operation " + name);
        }
        if (operations[modelled.index()] != null) {
            throw new IllegalArgumentException(model.id() + ":" + name + " is bound twice");
        }
        operations[modelled.index()] = operation;
        authorizations.set(modelled.index(), List.of(asks));
        return this;
    }

    public ServiceModel model() {
        return model;
    }

    /** The service's operation; {@code null} when it does not implement this one. */
    @SuppressWarnings("unchecked")
    public H operation(OperationModel operation) {
        return (H) operations[operation.index()];
    }

    /** What the operation declared it asks the policy engine for. */
    public List<Authorization> authorizations(OperationModel operation) {
        return authorizations.get(operation.index());
    }

    /** Whether the operation declared this action (checked, with assertions on, for every access check). */
    public boolean declares(OperationModel operation, String action) {
        for (Authorization authorization : authorizations.get(operation.index())) {
            if (authorization.action().equals(action)) {
                return true;
            }
        }
        return false;
    }

    /** The operations bound, in model order. */
    public List<OperationModel> implemented() {
        List<OperationModel> bound = new ArrayList<>();
        for (OperationModel operation : model.operations()) {
            if (operations[operation.index()] != null) {
                bound.add(operation);
            }
        }
        return bound;
    }
}
