package dev.wci.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KeySuggestionTest {

    private static final List<String> KEYS = List.of("address", "namespace", "apiKey", "tls", "rpcTimeout");

    @Test
    void suggestsTheClosestKeyForATypo() {
        assertEquals(Optional.of("address"), KeySuggestion.closest("adress", KEYS));
        assertEquals(Optional.of("address"), KeySuggestion.closest("addrses", KEYS));
        assertEquals(Optional.of("apiKey"), KeySuggestion.closest("apikey", KEYS));
        assertEquals(Optional.of("apiKey"), KeySuggestion.closest("api_key", KEYS));
        assertEquals(Optional.of("rpcTimeout"), KeySuggestion.closest("rpcTimout", KEYS));
        assertEquals(Optional.of("tls"), KeySuggestion.closest("tsl", KEYS));
    }

    @Test
    void suggestsNothingForAnUnrelatedKey() {
        assertEquals(Optional.empty(), KeySuggestion.closest("region", KEYS));
        assertEquals(Optional.empty(), KeySuggestion.closest("x", KEYS));
        assertEquals(Optional.empty(), KeySuggestion.closest("certificate", KEYS));
    }

    @Test
    void transpositionIsOneEdit() {
        assertEquals(1, KeySuggestion.distance("ab", "ba"));
        assertEquals(2, KeySuggestion.distance("abc", "cab"));
        assertEquals(3, KeySuggestion.distance("kitten", "sitting"));
    }
}
