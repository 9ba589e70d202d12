package dev.crossrole.server.protocol;

import java.nio.charset.StandardCharsets;

/** Renders AWS Query responses: {@code <OpResponse><OpResult>…</OpResult><ResponseMetadata>} and {@code ErrorResponse}. */
public final class QueryCodec {
    public static final String CONTENT_TYPE = "text/xml";

    /**
     * The builder a response is written into, one per thread and emptied each time: a fresh one grew by copying
     * itself two or three times per response. One that grew beyond {@link #KEPT_CAPACITY} is not kept.
     */
    private static final ThreadLocal<StringBuilder> BUILDER = ThreadLocal.withInitial(() -> new StringBuilder(2048));
    private static final int KEPT_CAPACITY = 64 * 1024;

    private QueryCodec() {}

    static XmlWriter writer() {
        StringBuilder builder = BUILDER.get();
        if (builder.capacity() > KEPT_CAPACITY) {
            builder = new StringBuilder(2048);
            BUILDER.set(builder);
        }
        builder.setLength(0);
        return new XmlWriter(builder);
    }

    public static byte[] error(String namespace, AwsException error, String requestId) {
        XmlWriter xml = writer();
        xml.raw("<ErrorResponse xmlns=\"").raw(namespace).raw("\">\n  ");
        xml.open("Error");
        xml.element("Type", error.senderFault() ? "Sender" : "Receiver");
        xml.element("Code", error.code());
        xml.element("Message", error.getMessage() == null ? "" : error.getMessage());
        error.members().forEach(xml::element);
        xml.close("Error").raw("\n  ");
        xml.element("RequestId", requestId).raw("\n");
        xml.close("ErrorResponse").raw("\n");
        return xml.toString().getBytes(StandardCharsets.UTF_8);
    }
}
