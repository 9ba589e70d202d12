package dev.crossrole.server.ecs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crossrole.server.sts.TemporaryCredentials;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code awslogs} log driver: a container's output sent to a CloudWatch Logs stream with the task execution
 * role's credentials, through crossrole's own endpoint, so the role's policy decides as on AWS. crossrole reads the
 * container's output from the log file it keeps for {@code crossrole logs} (which goes on being written), a line per
 * event stamped with the time it was read, and sends what it read every second and when the container ends.
 */
final class AwsLogs {
    private static final Logger LOG = Logger.getLogger(AwsLogs.class.getName());
    /** Docker's awslogs driver splits a longer line into events of this many bytes (256 KiB less the overhead). */
    static final int MAX_EVENT_BYTES = 262_144 - 26;
    private static final int MAX_EVENTS = 10_000;
    private static final long MAX_BATCH_BYTES = 1_048_576;
    /** Output kept while CloudWatch Logs refuses it; beyond this the oldest is dropped, as Docker's driver does. */
    private static final int MAX_PENDING_EVENTS = 100_000;

    /**
     * A container's {@code awslogs} options.
     *
     * @param streamPrefix {@code awslogs-stream-prefix}, or {@code null}: the stream is then named after the container's
     *     runtime id, as Docker names it
     */
    record Settings(String group, String region, String streamPrefix, boolean createGroup) {
        /** The container definition's awslogs settings, or {@code null} for another (or no) log driver. */
        static Settings of(JsonNode containerDefinition, String taskRegion) {
            JsonNode configuration = containerDefinition.path("logConfiguration");
            if (!"awslogs".equals(configuration.path("logDriver").asText())) {
                return null;
            }
            JsonNode options = configuration.path("options");
            String prefix = options.path("awslogs-stream-prefix").asText("");
            return new Settings(options.path("awslogs-group").asText(""), options.path("awslogs-region")
                    .asText(taskRegion), prefix.isEmpty() ? null : prefix,
                    options.path("awslogs-create-group").asText("false").equalsIgnoreCase("true"));
        }

        /** ECS's stream name: {@code prefix/container/task-id}. */
        String stream(String container, String taskId, String runtimeId) {
            return streamPrefix == null ? runtimeId : streamPrefix + "/" + container + "/" + taskId;
        }
    }

    /** Sends one container's output to its stream. */
    static final class Shipper {
        private final AgentCalls agent;
        private final Supplier<TemporaryCredentials> credentials;
        private final Settings settings;
        private final String stream;
        private final Path file;
        private final Clock clock;
        private long offset;
        private final java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();
        private final List<AgentCalls.LogLine> pending = new ArrayList<>();
        private String lastFailure;

        Shipper(AgentCalls agent, Supplier<TemporaryCredentials> credentials, Settings settings, String stream,
                Path file, long offset, Clock clock) {
            this.agent = agent;
            this.credentials = credentials;
            this.settings = settings;
            this.stream = stream;
            this.file = file;
            this.offset = offset;
            this.clock = clock;
        }

        String stream() {
            return stream;
        }

        /** Reads what the container wrote since, and sends every complete line (all of it once {@code last}). */
        synchronized void ship(boolean last) {
            read(last);
            send();
        }

        private void read(boolean last) {
            try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
                long length = in.length();
                if (length < offset) {
                    offset = 0; // the file was replaced
                }
                in.seek(offset);
                byte[] chunk = new byte[64 * 1024];
                int n;
                long now = clock.millis();
                while ((n = in.read(chunk)) > 0) {
                    offset += n;
                    for (int i = 0; i < n; i++) {
                        if (chunk[i] == '\n') {
                            take(now);
                        } else {
                            partial.write(chunk[i]);
                            if (partial.size() >= MAX_EVENT_BYTES) {
                                take(now);
                            }
                        }
                    }
                }
                if (last && partial.size() > 0) {
                    take(now);
                }
            } catch (IOException e) {
                LOG.log(Level.FINE, "cannot read " + file, e);
            }
        }

        private void take(long timestamp) {
            String line = partial.toString(StandardCharsets.UTF_8);
            partial.reset();
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.isEmpty()) {
                return; // CloudWatch Logs takes no empty event
            }
            pending.add(new AgentCalls.LogLine(timestamp, line));
            if (pending.size() > MAX_PENDING_EVENTS) {
                pending.remove(0);
            }
        }

        private void send() {
            while (!pending.isEmpty()) {
                List<AgentCalls.LogLine> batch = new ArrayList<>();
                long bytes = 0;
                for (AgentCalls.LogLine line : pending) {
                    long size = line.message().getBytes(StandardCharsets.UTF_8).length + 26L;
                    if (batch.size() == MAX_EVENTS || bytes + size > MAX_BATCH_BYTES) {
                        break;
                    }
                    batch.add(line);
                    bytes += size;
                }
                try {
                    agent.putLogEvents(credentials.get(), settings.region(), settings.group(), stream, batch);
                    pending.subList(0, batch.size()).clear();
                    lastFailure = null;
                } catch (AgentCalls.CallFailure | RuntimeException e) {
                    // Kept for the next round; said once per kind of failure, not every second.
                    if (!e.getMessage().equals(lastFailure)) {
                        LOG.warning("awslogs: cannot send to " + settings.group() + "/" + stream + ": "
                                + e.getMessage());
                        lastFailure = e.getMessage();
                    }
                    return;
                }
            }
        }
    }

    private AwsLogs() {}
}
