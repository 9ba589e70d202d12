package dev.crossrole.server.model;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The shapes of one service, read from the form {@link ShapeTableGenerator} writes at build time. */
public final class ShapeTable {
    static final char ENUM_SEPARATOR = '\u001f';

    private final Map<String, ShapeModel> shapes;

    private ShapeTable(Map<String, ShapeModel> shapes) {
        this.shapes = shapes;
    }

    /** The shape of this name; {@code null} when the model has none. */
    public ShapeModel shape(String name) {
        return shapes.get(name);
    }

    public int size() {
        return shapes.size();
    }

    static ShapeTable load(String serviceId) {
        String resource = ServiceModels.shapesResource(serviceId);
        try (InputStream in = ShapeTable.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing: the build generates it from the models");
            }
            return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ShapeTable parse(BufferedReader lines) throws IOException {
        Map<String, ShapeModel> shapes = new HashMap<>();
        ShapeModel current = null;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            String[] fields = line.split("\t", -1);
            if (line.startsWith("\t")) {
                if (current == null) {
                    throw new IllegalStateException("a member line before any shape: " + line);
                }
                MemberModel member = new MemberModel(fields[1], fields[2]);
                for (int i = 3; i < fields.length; i++) {
                    memberAttribute(member, fields[i]);
                }
                current.members.put(member.name, member);
            } else {
                current = new ShapeModel(fields[0], ShapeModel.Type.valueOf(fields[1].toUpperCase(Locale.ROOT)));
                for (int i = 2; i < fields.length; i++) {
                    shapeAttribute(current, fields[i]);
                }
                shapes.put(current.name, current);
            }
        }
        for (ShapeModel shape : shapes.values()) {
            link(shapes, shape.member);
            link(shapes, shape.key);
            link(shapes, shape.value);
            for (MemberModel member : shape.members.values()) {
                link(shapes, member);
            }
        }
        return new ShapeTable(shapes);
    }

    private static void link(Map<String, ShapeModel> shapes, MemberModel member) {
        if (member != null) {
            member.shape = shapes.get(member.target);
            if (member.shape == null) {
                throw new IllegalStateException("the member " + member + " names a shape the model lacks");
            }
        }
    }

    private static void shapeAttribute(ShapeModel shape, String attribute) {
        int equals = attribute.indexOf('=');
        String key = equals < 0 ? attribute : attribute.substring(0, equals);
        String value = equals < 0 ? null : attribute.substring(equals + 1);
        switch (key) {
            case "min" -> shape.min = (long) Double.parseDouble(value);
            case "max" -> shape.max = (long) Double.parseDouble(value);
            case "pattern" -> shape.patternText = value;
            case "enum" -> {
                shape.enumValues = List.copyOf(Arrays.asList(value.split(String.valueOf(ENUM_SEPARATOR), -1)));
                shape.enumSet = Set.copyOf(new LinkedHashSet<>(shape.enumValues));
            }
            case "flattened" -> shape.flattened = true;
            case "streaming" -> shape.streaming = true;
            case "exception" -> shape.exception = true;
            case "union" -> shape.union = true;
            case "sensitive" -> shape.sensitive = true;
            case "fault" -> { }
            case "payload" -> shape.payload = value;
            case "timestampFormat" -> shape.timestampFormat = value;
            case "locationName" -> shape.locationName = value;
            case "xmlNamespace" -> shape.xmlNamespace = value;
            case "errorCode" -> shape.errorCode = value;
            case "errorStatus" -> shape.errorStatus = Integer.parseInt(value);
            case "senderFault" -> shape.senderFault = true;
            case "member" -> shape.member = new MemberModel("member", value);
            case "key" -> shape.key = new MemberModel("key", value);
            case "value" -> shape.value = new MemberModel("value", value);
            case "memberName" -> shape.member.locationName = value;
            case "keyName" -> shape.key.locationName = value;
            case "valueName" -> shape.value.locationName = value;
            case "memberFlattened" -> shape.member.flattened = true;
            case "keyFlattened", "valueFlattened" -> { }
            case "memberXmlNamespace" -> shape.member.xmlNamespace = value;
            case "keyXmlNamespace", "valueXmlNamespace" -> { }
            default -> throw new IllegalStateException("the shape " + shape.name + " has an attribute no reader knows: "
                    + attribute);
        }
    }

    private static void memberAttribute(MemberModel member, String attribute) {
        int equals = attribute.indexOf('=');
        String key = equals < 0 ? attribute : attribute.substring(0, equals);
        String value = equals < 0 ? null : attribute.substring(equals + 1);
        switch (key) {
            case "required" -> member.required = true;
            case "location" -> member.location = value;
            case "locationName" -> member.locationName = value;
            case "queryName" -> member.queryName = value;
            case "timestampFormat" -> member.timestampFormat = value;
            case "flattened" -> member.flattened = true;
            case "xmlAttribute" -> member.xmlAttribute = true;
            case "idempotencyToken" -> member.idempotencyToken = true;
            case "hostLabel" -> member.hostLabel = true;
            case "jsonvalue" -> member.jsonValue = true;
            case "streaming" -> member.streaming = true;
            case "eventpayload" -> member.eventPayload = true;
            case "xmlNamespace" -> member.xmlNamespace = value;
            case "xmlPrefix" -> member.xmlPrefix = value;
            default -> throw new IllegalStateException("the member " + member + " has an attribute no reader knows: "
                    + attribute);
        }
    }
}
