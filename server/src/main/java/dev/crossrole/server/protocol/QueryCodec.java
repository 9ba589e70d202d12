package dev.crossrole.server.protocol;

import java.nio.charset.StandardCharsets;

/** Renders AWS Query responses: {@code <OpResponse><OpResult>…</OpResult><ResponseMetadata>} and {@code ErrorResponse}. */
public final class QueryCodec {
    public static final String CONTENT_TYPE = "text/xml";

    private QueryCodec() {}

    /** A success body; a {@code null} result renders the empty response of operations without output. */
    public static byte[] success(String namespace, String operation, Shape result, String requestId) {
        XmlWriter xml = new XmlWriter();
        xml.raw("<").raw(operation).raw("Response xmlns=\"").raw(namespace).raw("\">\n");
        if (result != null) {
            xml.open(operation + "Result");
            xml.shape(result.members());
            xml.close(operation + "Result").raw("\n");
        }
        xml.open("ResponseMetadata").element("RequestId", requestId).close("ResponseMetadata").raw("\n");
        xml.close(operation + "Response").raw("\n");
        return xml.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] error(String namespace, AwsException error, String requestId) {
        XmlWriter xml = new XmlWriter();
        xml.raw("<ErrorResponse xmlns=\"").raw(namespace).raw("\">\n  ");
        xml.open("Error");
        xml.element("Type", error.senderFault() ? "Sender" : "Receiver");
        xml.element("Code", error.code());
        xml.element("Message", error.getMessage() == null ? "" : error.getMessage());
        xml.close("Error").raw("\n  ");
        xml.element("RequestId", requestId).raw("\n");
        xml.close("ErrorResponse").raw("\n");
        return xml.toString().getBytes(StandardCharsets.UTF_8);
    }
}
