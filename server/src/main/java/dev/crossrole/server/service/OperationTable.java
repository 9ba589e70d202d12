package dev.crossrole.server.service;

import dev.crossrole.server.model.ServiceModel;

/** The operations of a {@link ServiceProvider}, whose wire the model's codecs read and write. */
public final class OperationTable extends OperationBindings<Operation> {
    private final ServiceProvider provider;

    private OperationTable(ServiceProvider provider, ServiceModel model) {
        super(model);
        this.provider = provider;
    }

    /** The table of a provider, its operations bound. */
    public static OperationTable of(ServiceProvider provider, ServiceModel model) {
        if (model == null) {
            throw new IllegalArgumentException("no service model is named " + provider.modelId());
        }
        OperationTable table = new OperationTable(provider, model);
        provider.register(table);
        return table;
    }

    @Override
    public OperationTable on(String name, Operation operation, Authorization... asks) {
        super.on(name, operation, asks);
        return this;
    }

    public ServiceProvider provider() {
        return provider;
    }
}
