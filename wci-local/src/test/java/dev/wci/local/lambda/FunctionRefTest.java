package dev.wci.local.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FunctionRefTest {

    @Test
    void parsesEveryFormAwsAccepts() {
        assertEquals(new FunctionRef("f", null), FunctionRef.parse("f", null));
        assertEquals(new FunctionRef("f", "3"), FunctionRef.parse("f:3", null));
        assertEquals(new FunctionRef("f", "3"), FunctionRef.parse("f", "3"));
        assertEquals(new FunctionRef("f", "$LATEST"), FunctionRef.parse("123456789012:function:f:$LATEST", null));
        assertEquals(new FunctionRef("f", null), FunctionRef.parse("arn:aws:lambda:us-east-1:123456789012:function:f", ""));
        assertEquals(new FunctionRef("f", "7"),
                FunctionRef.parse("arn:aws:lambda:us-east-1:123456789012:function:f:7", "7"));
    }

    @Test
    void rejectsConflictingQualifiersAndMalformedArns() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FunctionRef.parse("arn:aws:lambda:us-east-1:123456789012:function:f:7", "8"));
        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FunctionRef.parse("arn:aws:s3:::bucket", null));
        assertThrows(IllegalArgumentException.class, () -> FunctionRef.parse("f:", null));
        assertThrows(IllegalArgumentException.class, () -> FunctionRef.parse("", null));
    }
}
