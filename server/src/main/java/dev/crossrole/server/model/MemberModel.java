package dev.crossrole.server.model;

/**
 * A member of a structure (or the member of a list, the key or value of a map) as the model binds it: its shape, and
 * where it travels on the wire.
 */
public final class MemberModel {
    final String name;
    final String target;
    ShapeModel shape;
    boolean required;
    String location;
    String locationName;
    String queryName;
    String timestampFormat;
    boolean flattened;
    boolean xmlAttribute;
    boolean idempotencyToken;
    boolean hostLabel;
    boolean jsonValue;
    boolean streaming;
    boolean eventPayload;
    String xmlNamespace;
    String xmlPrefix;

    private final String messageName;

    MemberModel(String name, String target) {
        this.name = name;
        this.target = target;
        this.messageName = name.isEmpty() ? name : Character.toLowerCase(name.charAt(0)) + name.substring(1);
    }

    /** How AWS's validation messages name it: in lower camel case ({@code roleName}). */
    public String messageName() {
        return messageName;
    }

    /** The member's name in the model ({@code RoleName}). */
    public String name() {
        return name;
    }

    public ShapeModel shape() {
        return shape;
    }

    public boolean required() {
        return required;
    }

    /**
     * Where a REST protocol carries it: {@code uri}, {@code querystring}, {@code header}, {@code headers},
     * {@code statusCode}; {@code null} for the body.
     */
    public String location() {
        return location;
    }

    /** Its name on the wire as the model gives it; {@code null} when that is its member name. */
    public String locationName() {
        return locationName;
    }

    /** Its name on the wire: the location name when the model gives one, else the member name. */
    public String wireName() {
        return locationName != null ? locationName : name;
    }

    public String queryName() {
        return queryName;
    }

    /** The timestamp format of this member, else of its shape; {@code null} for the protocol's default. */
    public String timestampFormat() {
        return timestampFormat != null ? timestampFormat : shape.timestampFormat;
    }

    /** Whether this list or map is written without its wrapping element (the member's flag or its shape's). */
    public boolean flattened() {
        return flattened || shape.flattened;
    }

    public boolean xmlAttribute() {
        return xmlAttribute;
    }

    public boolean idempotencyToken() {
        return idempotencyToken;
    }

    public boolean hostLabel() {
        return hostLabel;
    }

    /** A string header member whose value is JSON sent base64-encoded. */
    public boolean jsonValue() {
        return jsonValue;
    }

    public boolean streaming() {
        return streaming || shape.streaming;
    }

    public String xmlNamespace() {
        return xmlNamespace;
    }

    public String xmlPrefix() {
        return xmlPrefix;
    }

    @Override
    public String toString() {
        return name + ": " + target;
    }
}
