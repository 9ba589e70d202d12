package dev.crossrole.server.model;

/** The wire protocols of AWS's service models, by the names the models give them. */
public enum WireProtocol {
    QUERY("query"), JSON("json"), REST_JSON("rest-json"), REST_XML("rest-xml");

    private final String modelName;

    WireProtocol(String modelName) {
        this.modelName = modelName;
    }

    public String modelName() {
        return modelName;
    }

    public static WireProtocol fromModelName(String name) {
        for (WireProtocol protocol : values()) {
            if (protocol.modelName.equals(name)) {
                return protocol;
            }
        }
        throw new IllegalArgumentException("no wire protocol is named '" + name + "'");
    }
}
