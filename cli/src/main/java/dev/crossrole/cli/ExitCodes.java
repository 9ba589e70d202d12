package dev.crossrole.cli;

/** Exit codes shared by the commands. */
final class ExitCodes {
    static final int OK = 0;
    /** The input was read and found wanting (an invalid policy). */
    static final int INVALID = 1;
    /** The input could not be used at all (missing file, malformed request, bad option). */
    static final int UNUSABLE = 2;
    /** crossrole itself failed: an unexpected exception, a bug (sysexits.h's EX_SOFTWARE). */
    static final int SOFTWARE = 70;

    private ExitCodes() {}
}
