package dev.crossrole.server.ecs;

import dev.crossrole.server.protocol.Input;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/** ECS pagination: {@code maxResults} (1–100) and an opaque {@code nextToken}. */
final class EcsPages {
    private EcsPages() {}

    record Request(int maxResults, int offset) {}

    record Page<T>(List<T> items, String nextToken) {}

    static Request request(Input input) {
        Integer max = input.integer("maxResults");
        if (max != null && (max < 1 || max > 100)) {
            throw EcsErrors.invalidParameter("maxResults must be between 1 and 100.");
        }
        String token = input.string("nextToken");
        int offset = 0;
        if (token != null) {
            try {
                offset = Integer.parseInt(new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8)
                        .replace("crossrole-next-", ""));
            } catch (IllegalArgumentException e) {
                throw EcsErrors.invalidParameter("Invalid nextToken.");
            }
        }
        return new Request(max == null ? 100 : max, Math.max(0, offset));
    }

    static <T> Page<T> page(List<T> all, Request request) {
        int from = Math.min(request.offset(), all.size());
        int to = Math.min(all.size(), from + request.maxResults());
        String next = to < all.size() ? Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("crossrole-next-" + to).getBytes(StandardCharsets.UTF_8)) : null;
        return new Page<>(List.copyOf(all.subList(from, to)), next);
    }
}
