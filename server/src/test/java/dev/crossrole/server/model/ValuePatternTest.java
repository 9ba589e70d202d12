package dev.crossrole.server.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The table of a one-class pattern says what the regular expression says, for every pattern of every model. */
class ValuePatternTest {
    @Test
    void oneClassPatternsAreTabledAndOthersAreNot() {
        assertTrue(ValuePattern.compile("[\\w+=,.@-]*").tabled());
        assertTrue(ValuePattern.compile("^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]{1,128}$").tabled());
        assertTrue(ValuePattern.compile("[0-9]{12}").tabled());
        assertTrue(ValuePattern.compile("[a-z]{3,}").tabled());
        assertFalse(ValuePattern.compile("[a-z]+[0-9]").tabled());
        assertFalse(ValuePattern.compile("[a-z]*?").tabled());
        assertFalse(ValuePattern.compile("[a-z[0-9]]+").tabled());
        assertFalse(ValuePattern.compile("(?i)[a-z]+").tabled());
        assertFalse(ValuePattern.compile("^(?!\\s*$).+").tabled());
    }

    @Test
    void countsAreTheQuantifiers() {
        ValuePattern twelve = ValuePattern.compile("[0-9]{12}");
        assertTrue(twelve.matches("123456789012"));
        assertFalse(twelve.matches("12345678901"));
        assertFalse(twelve.matches("1234567890123"));
        ValuePattern atLeastThree = ValuePattern.compile("[a-z]{3,}");
        assertFalse(atLeastThree.matches("ab"));
        assertTrue(atLeastThree.matches("abcdefghijklmnopqrstuvwxyz"));
        ValuePattern range = ValuePattern.compile("^[a-z]{2,4}$");
        assertFalse(range.matches("a"));
        assertTrue(range.matches("abcd"));
        assertFalse(range.matches("abcde"));
        assertFalse(range.matches("abc\n"), "$ before a final line terminator is not the end of a whole match");
        ValuePattern one = ValuePattern.compile("[ab]");
        assertTrue(one.matches("a"));
        assertFalse(one.matches(""));
        assertFalse(one.matches("ab"));
        assertTrue(ValuePattern.compile("[\\w+=,.@-]*").matches(""));
        assertFalse(ValuePattern.compile("[\\w+=,.@-]+").matches(""));
    }

    @Test
    void everyModelPatternAgreesWithItsRegularExpression() {
        Set<String> patterns = new HashSet<>();
        for (ServiceModel service : ServiceModels.all().services()) {
            for (OperationModel operation : service.operations()) {
                for (ShapeModel shape : new ShapeModel[] {operation.input(), operation.output()}) {
                    if (shape != null) {
                        collect(shape, new HashSet<>(), patterns);
                    }
                }
            }
        }
        assertTrue(patterns.size() > 100, "the models' patterns were not found: " + patterns.size());
        List<String> samples = samples();
        int tabled = 0;
        for (String text : patterns) {
            String javaText = ShapeModel.javaPattern(text);
            ValuePattern pattern = ValuePattern.compile(javaText);
            Pattern regex = Pattern.compile(javaText);
            tabled += pattern.tabled() ? 1 : 0;
            for (String sample : samples) {
                assertEquals(regex.matcher(sample).matches(), pattern.matches(sample),
                        "pattern " + text + " on " + sample.codePoints().mapToObj(Integer::toHexString).toList());
            }
        }
        assertTrue(tabled > 50, "few patterns were tabled: " + tabled);
    }

    private static void collect(ShapeModel shape, Set<String> seen, Set<String> patterns) {
        if (!seen.add(shape.name())) {
            return;
        }
        if (shape.patternText() != null && shape.pattern() != null) {
            patterns.add(shape.patternText());
        }
        for (MemberModel member : shape.members().values()) {
            collect(member.shape(), seen, patterns);
        }
        for (MemberModel part : java.util.Arrays.asList(shape.member(), shape.key(), shape.value())) {
            if (part != null) {
                collect(part.shape(), seen, patterns);
            }
        }
    }

    /** Every Latin-1 character alone and in runs, words the models' classes admit, and random mixed strings. */
    private static List<String> samples() {
        List<String> samples = new ArrayList<>();
        samples.add("");
        for (char c = 0; c < 300; c++) {
            samples.add(String.valueOf(c));
            samples.add(String.valueOf(c).repeat(3));
            samples.add("abc" + c);
        }
        samples.add("arn:aws:iam::111122223333:role/cross-account");
        samples.add("session-name_1@example.com");
        samples.add("123456789012");
        samples.add("x".repeat(2049));
        samples.add("\uD83D\uDE00");
        samples.add("ab\uD83D\uDE00cd");
        samples.add("é".repeat(64));
        Random random = new Random(7);
        String alphabet = "aZ09_-+=,.@:/ \t\n\r\u00A0\u00E9\u0100\u4E2D\uFFFD\uD800\uDC00";
        for (int n = 0; n < 400; n++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(140);
            for (int i = 0; i < length; i++) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            samples.add(text.toString());
        }
        return samples;
    }
}
