package dev.crossrole.bench.load;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a <a href="https://github.com/wg/wrk">wrk</a> Lua script that sends signed requests to a crossrole
 * running elsewhere (e.g. {@code ./crossrole serve}), so that the server's own process is what is measured:
 * its throughput, its CPU time, its RSS, what it allocates. The requests are signed once, here, with the
 * administrators' keys from the server's credentials file; SigV4 accepts a signature for 15 minutes, so a
 * run must start within that time. Before writing, it prepares what the requests need: a role in the
 * destination account that the source account may assume, a bucket and a 1 KiB object.
 *
 * <p>Kinds: {@code gci} (STS GetCallerIdentity), {@code assume} (STS AssumeRole across accounts), {@code get1k}
 * (S3 GetObject of 1 KiB), {@code put1k} (S3 PutObject of 1 KiB, UNSIGNED-PAYLOAD as SDKs sign over HTTPS),
 * {@code sqssend} (SQS SendMessage of a 100-byte body with one attribute, JSON protocol), {@code sqsrecv} (SQS
 * ReceiveMessage of up to 10 messages with VisibilityTimeout 0, so the messages stay receivable and every receive
 * finds some).
 * The script cycles through the kinds given, one request after another on every connection. With a limit, each
 * wrk thread stops after limit / threads responses (pass the same thread count as wrk's {@code -t}) and, when the
 * environment names a {@code DONE_FILE}, appends a line to it.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.crossrole.bench.load.WrkScript PORT DATA_DIR OUT.lua
 * gci,assume,get1k,put1k [LIMIT THREADS]}, then {@code wrk -t2 -c8 -d60s -s OUT.lua http://127.0.0.1:PORT}.
 */
public final class WrkScript {
    private static final String DESTINATION_ROLE = "load-destination-role";
    private static final String BUCKET = "wrk-load-bucket";
    private static final String OBJECT = "/" + BUCKET + "/object-1k";

    private static final String QUEUE = "wrk-load-queue";

    private WrkScript() {}

    private static String queueUrl(int port, String account) {
        return "http://127.0.0.1:" + port + "/" + account + "/" + QUEUE;
    }

    /** An SQS call over its JSON protocol (what the SDKs send). */
    private static byte[] sqs(int port, String[] key, String operation, String json) {
        return RawHttp.signedPost(port, key[0], key[1], "sqs", "application/x-amz-json-1.0",
                "AmazonSQS." + operation, bytes(json));
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: WrkScript PORT DATA_DIR OUT.lua gci,assume,get1k,put1k [LIMIT THREADS]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        Map<String, String[]> keys = credentials(Path.of(args[1]).resolve("credentials"));
        Path out = Path.of(args[2]);
        long limit = args.length > 4 ? Long.parseLong(args[4]) : 0;
        int threads = args.length > 5 ? Integer.parseInt(args[5]) : 1;
        String[] source = keys.get("source");
        String[] destination = keys.get("destination");
        if (source == null || destination == null) {
            throw new IllegalStateException("the credentials file has no 'source' and 'destination' profiles");
        }
        String sourceAccount = "111122223333";
        byte[] object = new byte[1024];
        for (int i = 0; i < object.length; i++) {
            object[i] = (byte) ('a' + i % 26);
        }
        prepare(port, source, destination, sourceAccount, object);

        List<byte[]> requests = new ArrayList<>();
        for (String kind : args[3].split(",")) {
            requests.add(switch (kind) {
                case "gci" -> RawHttp.signedPost(port, source[0], source[1], "sts",
                        "application/x-www-form-urlencoded; charset=utf-8", null,
                        bytes("Action=GetCallerIdentity&Version=2011-06-15"));
                case "assume" -> RawHttp.signedPost(port, source[0], source[1], "sts",
                        "application/x-www-form-urlencoded; charset=utf-8", null,
                        bytes("Action=AssumeRole&Version=2011-06-15&RoleArn="
                                + encode("arn:aws:iam::555566667777:role/" + DESTINATION_ROLE)
                                + "&RoleSessionName=wrk"));
                case "get1k" -> S3Load.request("GET", OBJECT, port, profile(source), new byte[0]);
                case "put1k" -> concat(S3Load.request("PUT", "/" + BUCKET + "/put-1k", port, profile(source), object),
                        object);
                case "sqssend" -> sqs(port, source, "SendMessage", "{\"QueueUrl\":\"" + queueUrl(port, sourceAccount)
                        + "\",\"MessageBody\":\"" + "m".repeat(100) + "\",\"MessageAttributes\":{\"kind\":"
                        + "{\"DataType\":\"String\",\"StringValue\":\"load\"}}}");
                case "sqsrecv" -> sqs(port, source, "ReceiveMessage", "{\"QueueUrl\":\""
                        + queueUrl(port, sourceAccount) + "\",\"MaxNumberOfMessages\":10,\"VisibilityTimeout\":0}");
                default -> throw new IllegalArgumentException("unknown kind " + kind);
            });
        }
        Files.writeString(out, lua(requests, limit, threads));
        System.out.println("wrote " + out + " (" + requests.size() + " requests, signed at " + Instant.now() + ")");
    }

    /** The destination role trusting the source account, the bucket and the object (each is fine if present). */
    private static void prepare(int port, String[] source, String[] destination, String sourceAccount, byte[] object)
            throws IOException {
        String trust = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
                + "\"arn:aws:iam::" + sourceAccount + ":root\"},\"Action\":\"sts:AssumeRole\"}]}";
        send(port, RawHttp.signedPost(port, destination[0], destination[1], "iam",
                "application/x-www-form-urlencoded; charset=utf-8", null,
                bytes("Action=CreateRole&Version=2010-05-08&RoleName=" + DESTINATION_ROLE
                        + "&AssumeRolePolicyDocument=" + encode(trust))), 200, 409);
        send(port, S3Load.request("PUT", "/" + BUCKET, port, profile(source), new byte[0]), 200, 409);
        send(port, sqs(port, source, "CreateQueue", "{\"QueueName\":\"" + QUEUE + "\"}"), 200);
        for (int i = 0; i < 10; i++) {
            send(port, sqs(port, source, "SendMessage", "{\"QueueUrl\":\"" + queueUrl(port, sourceAccount)
                    + "\",\"MessageBody\":\"seed " + i + "\"}"), 200);
        }
        send(port, concat(S3Load.request("PUT", OBJECT, port, profile(source), object), object), 200);
    }

    private static void send(int port, byte[] request, int... accepted) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            RawHttp.Response response = RawHttp.read(in);
            for (int status : accepted) {
                if (response.status() == status) {
                    return;
                }
            }
            throw new IllegalStateException("setup request answered " + response.status() + ": " + response.text());
        }
    }

    private static String lua(List<byte[]> requests, long limit, int threads) {
        StringBuilder lua = new StringBuilder("-- generated by dev.crossrole.bench.load.WrkScript\nlocal requests = {\n");
        for (byte[] request : requests) {
            lua.append("  \"");
            for (byte b : request) {
                int c = b & 0xff;
                if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                    lua.append((char) c);
                } else {
                    lua.append('\\').append(String.format("%03d", c));
                }
            }
            lua.append("\",\n");
        }
        lua.append("}\nlocal i = 0\nrequest = function()\n  i = i % #requests + 1\n  return requests[i]\nend\n");
        if (limit > 0) {
            // wrk runs for its -d duration even when every thread has stopped: a line per finished thread in
            // DONE_FILE (when set) lets a driver interrupt it then (SIGINT makes wrk report at once).
            lua.append("local answered, limit = 0, ").append(Math.max(1, limit / threads)).append('\n')
                    .append("local done_file = os.getenv(\"DONE_FILE\")\n")
                    .append("response = function(status, headers, body)\n  answered = answered + 1\n")
                    .append("  if answered == limit then\n")
                    .append("    if done_file then local f = io.open(done_file, \"a\"); f:write(\"done\\n\"); f:close() end\n")
                    .append("    wrk.thread:stop()\n  end\nend\n");
        }
        return lua.toString();
    }

    /** Profiles of the credentials file: name → {key id, secret}. */
    private static Map<String, String[]> credentials(Path file) throws IOException {
        Map<String, String[]> profiles = new LinkedHashMap<>();
        String section = null;
        for (String line : Files.readAllLines(file)) {
            line = line.strip();
            if (line.startsWith("[") && line.endsWith("]")) {
                section = line.substring(1, line.length() - 1);
                profiles.put(section, new String[2]);
            } else if (section != null && line.startsWith("aws_access_key_id")) {
                profiles.get(section)[0] = line.substring(line.indexOf('=') + 1).strip();
            } else if (section != null && line.startsWith("aws_secret_access_key")) {
                profiles.get(section)[1] = line.substring(line.indexOf('=') + 1).strip();
            }
        }
        return profiles;
    }

    private static dev.crossrole.server.Bootstrap.Profile profile(String[] key) {
        return new dev.crossrole.server.Bootstrap.Profile("load", null, key[0], key[1]);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] head, byte[] body) {
        byte[] all = java.util.Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }
}
