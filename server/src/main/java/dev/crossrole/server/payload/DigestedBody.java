package dev.crossrole.server.payload;

import java.util.Map;

/**
 * A request body that digests itself while it is read, to check what the request claims about it. Whoever stores
 * the body takes the MD5 and checksums from here instead of computing them a second time.
 */
public interface DigestedBody {

    /** Also computes {@code algorithm} over the body; call before reading. */
    DigestedBody alsoCompute(ChecksumAlgorithm algorithm);

    /** Base64 MD5 of the body; once it has been read to the end. */
    String md5Base64();

    /** Base64 values of the checksums computed; once the body has been read to the end. */
    Map<ChecksumAlgorithm, String> checksums();
}
