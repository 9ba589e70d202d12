package dev.crossrole.server.service;

import dev.crossrole.server.service.Caller;
import dev.crossrole.server.service.RequestInfo;

/** One authenticated call as a service sees it. */
public record Call(String requestId, Caller caller, RequestInfo info) {
    public String region() {
        return info.region();
    }
}
