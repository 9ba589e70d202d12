package dev.crossrole.server.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * What Jetty answers on its own, for a request that never reached the pipeline (a framing or header error, a
 * URI it refuses): {@code {"message": "…"}} with the reason for a client error, as crossrole's other non-AWS
 * answers; never a stack trace or a server's own error page. Over HTTP/1 the answer says {@code Connection: close}:
 * Jetty closes a connection after a request it refused, and a client that was not told would send its next request
 * into the closed connection.
 */
final class ErrorBody extends ErrorHandler {
    private static final Logger LOG = Logger.getLogger(ErrorBody.class.getName());

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        if (code == HttpStatus.INTERNAL_SERVER_ERROR_500) {
            // A failure the pipeline never saw is never silent; what a client got wrong (4xx, 505) stays out of the log.
            LOG.log(Level.WARNING, "the listener answered " + code + " to " + request.getMethod() + " "
                    + request.getHttpURI().getPath() + " over " + request.getConnectionMetaData().getHttpVersion()
                    + (message == null ? "" : ": " + message), cause);
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        boolean clientError = code >= 400 && code < 500;
        body.put("message", clientError && message != null ? message : HttpStatus.getMessage(code));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        HttpVersion version = request.getConnectionMetaData().getHttpVersion();
        if (version == HttpVersion.HTTP_1_1 || version == HttpVersion.HTTP_1_0) {
            response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
        }
        response.write(true, ByteBuffer.wrap(body.toString().getBytes(StandardCharsets.UTF_8)), callback);
    }
}
