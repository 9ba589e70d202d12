package dev.crossrole.server.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/**
 * One shape of a service model: its type, its constraints ({@code min}, {@code max}, {@code pattern}, {@code enum})
 * and, for structures, lists and maps, what it holds. Built by {@link ShapeTable}; not changed after.
 */
public final class ShapeModel {
    /** The types of AWS's models. */
    public enum Type { STRUCTURE, LIST, MAP, STRING, INTEGER, LONG, BOOLEAN, TIMESTAMP, BLOB, DOUBLE, FLOAT, DOCUMENT }

    final String name;
    final Type type;
    Long min;
    Long max;
    String patternText;
    private volatile ValuePattern pattern;
    private volatile boolean patternTried;
    List<String> enumValues = List.of();
    Set<String> enumSet = Set.of();
    boolean flattened;
    boolean streaming;
    boolean exception;
    boolean union;
    boolean sensitive;
    String payload;
    String timestampFormat;
    String locationName;
    String xmlNamespace;
    String errorCode;
    int errorStatus;
    boolean senderFault;
    MemberModel member;
    MemberModel key;
    MemberModel value;
    final Map<String, MemberModel> members = new LinkedHashMap<>();
    private final Map<String, MemberModel> membersView = Collections.unmodifiableMap(members);

    ShapeModel(String name, Type type) {
        this.name = name;
        this.type = type;
    }

    public String name() {
        return name;
    }

    public Type type() {
        return type;
    }

    /** The least length (strings, blobs, lists, maps) or value (numbers); {@code null} when the model sets none. */
    public Long min() {
        return min;
    }

    public Long max() {
        return max;
    }

    /** The pattern as the model writes it (AWS's messages quote it so). */
    public String patternText() {
        return patternText;
    }

    /**
     * The pattern compiled, on first use; {@code null} when there is none, or when Java's regular expressions cannot
     * read it (then it is not checked: a pattern crossrole misreads must not refuse what AWS accepts).
     */
    public ValuePattern pattern() {
        if (!patternTried) {
            if (patternText != null) {
                try {
                    pattern = ValuePattern.compile(javaPattern(patternText));
                } catch (PatternSyntaxException e) {
                    pattern = null;
                }
            }
            patternTried = true;
        }
        return pattern;
    }

    /**
     * The models write code points beyond the BMP as {@code \u10000} and {@code \u10FFFF}, which Java would read as
     * {@code \u1000} followed by digits; Java spells them {@code \x{10000}}.
     */
    static String javaPattern(String modelPattern) {
        return modelPattern.replace("\\u10000", "\\x{10000}").replace("\\u10FFFF", "\\x{10FFFF}");
    }

    public List<String> enumValues() {
        return enumValues;
    }

    public boolean allows(String enumValue) {
        return enumSet.isEmpty() || enumSet.contains(enumValue);
    }

    public boolean flattened() {
        return flattened;
    }

    public boolean streaming() {
        return streaming;
    }

    public boolean exception() {
        return exception;
    }

    public boolean union() {
        return union;
    }

    public boolean sensitive() {
        return sensitive;
    }

    /** The member sent as the whole HTTP body (REST protocols); {@code null} when the members make up the body. */
    public String payload() {
        return payload;
    }

    public String timestampFormat() {
        return timestampFormat;
    }

    /** The XML element name a REST-XML payload structure goes by; {@code null} for its shape name. */
    public String locationName() {
        return locationName;
    }

    public String xmlNamespace() {
        return xmlNamespace;
    }

    /** An error shape's code; {@code null} for shapes that are not errors. */
    public String errorCode() {
        return errorCode != null ? errorCode : exception ? name : null;
    }

    /** An error shape's HTTP status; 0 when the model gives none. */
    public int errorStatus() {
        return errorStatus;
    }

    public boolean senderFault() {
        return senderFault;
    }

    /** A list's member. */
    public MemberModel member() {
        return member;
    }

    /** A map's key. */
    public MemberModel key() {
        return key;
    }

    /** A map's value. */
    public MemberModel value() {
        return value;
    }

    /** A structure's members, in model order. */
    public Map<String, MemberModel> members() {
        return membersView;
    }

    /** A structure's member of this name; {@code null} when it has none. */
    public MemberModel member(String memberName) {
        return members.get(memberName);
    }

    @Override
    public String toString() {
        return name + " (" + type.name().toLowerCase(java.util.Locale.ROOT) + ")";
    }
}
