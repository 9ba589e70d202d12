package dev.crossrole.policy;

/** A simulate input that cannot be used: a missing or malformed field, named by its path. */
public final class SimulationInputException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String field;

    public SimulationInputException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
