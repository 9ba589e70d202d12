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
    /** Reading or writing a file or connection failed where the command did not expect it (EX_IOERR). */
    static final int INPUT_OUTPUT = 74;

    private ExitCodes() {}
}
