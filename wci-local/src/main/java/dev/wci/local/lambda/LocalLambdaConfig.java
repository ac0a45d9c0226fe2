package dev.wci.local.lambda;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Configuration of the local Lambda runtime, normally read from a YAML file:
 *
 * <pre>
 * region: us-east-1                # optional, default us-east-1
 * accountId: "000000000000"        # optional
 * accountConcurrencyLimit: 10      # optional, default 1000
 * executionMode: process           # process (default) or thread
 * functions:
 *   - name: hello-worker
 *     reservedConcurrency: 5       # optional
 *     eventInvokeConfig: {maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60}   # optional
 *     versions:
 *       - version: 1
 *         handler: com.example.HelloHandler
 *         classpath: [build/libs/hello-worker-all.jar]   # relative to the YAML file
 *         timeoutSeconds: 60
 *         memoryMb: 512
 *         environment: {TEMPORAL_ADDRESS: "127.0.0.1:7233"}
 * </pre>
 *
 * @param region                  region used in ARNs
 * @param accountId               12-digit account used in ARNs
 * @param accountConcurrencyLimit concurrent executions allowed across all functions
 * @param executionMode           where handlers run
 * @param functions               the functions served
 */
public record LocalLambdaConfig(
        String region,
        String accountId,
        Integer accountConcurrencyLimit,
        ExecutionMode executionMode,
        List<LocalFunction> functions) {

    private static final Pattern ACCOUNT = Pattern.compile("[0-9]{12}");
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]+");

    public LocalLambdaConfig {
        region = region == null ? "us-east-1" : region;
        if (!REGION.matcher(region).matches()) {
            throw new IllegalArgumentException("region must look like us-east-1, got '" + region + "'");
        }
        accountId = accountId == null ? "000000000000" : accountId;
        if (!ACCOUNT.matcher(accountId).matches()) {
            throw new IllegalArgumentException("accountId must be 12 digits, got '" + accountId + "'");
        }
        accountConcurrencyLimit = accountConcurrencyLimit == null ? 1000 : accountConcurrencyLimit;
        if (accountConcurrencyLimit < 0) {
            throw new IllegalArgumentException("accountConcurrencyLimit must be >= 0, got " + accountConcurrencyLimit);
        }
        executionMode = executionMode == null ? ExecutionMode.PROCESS : executionMode;
        functions = functions == null ? List.of() : List.copyOf(functions);
        Set<String> names = new HashSet<>();
        for (LocalFunction f : functions) {
            if (!names.add(f.name())) {
                throw new IllegalArgumentException("function '" + f.name() + "' is defined twice");
            }
        }
    }

    /** The same configuration with another execution mode. */
    public LocalLambdaConfig withExecutionMode(ExecutionMode mode) {
        return new LocalLambdaConfig(region, accountId, accountConcurrencyLimit, mode, functions);
    }

    /**
     * Reads a YAML file. Relative class path entries are resolved against the file's directory.
     *
     * @throws LocalLambdaConfigException naming file, line, column, field path and what was expected
     */
    public static LocalLambdaConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new LocalLambdaConfigException(file + ": cannot read local Lambda config: " + e.getMessage(), e);
        }
        Path base = file.toAbsolutePath().getParent();
        return parse(text, file.toString()).resolveClasspath(base);
    }

    /** Parses YAML text; {@code source} names it in error messages. Class path entries are kept as written. */
    public static LocalLambdaConfig parse(String yaml, String source) {
        ObjectMapper mapper = YAMLMapper.builder()
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
        try {
            checkUnknownFields(mapper, yaml, source);
            LocalLambdaConfig config = mapper.readValue(yaml, LocalLambdaConfig.class);
            if (config == null) {
                throw new LocalLambdaConfigException(source + ": the file is empty; expected a mapping with 'functions'", null);
            }
            return config;
        } catch (JsonMappingException e) {
            throw new LocalLambdaConfigException(describe(source, e), e);
        } catch (JsonProcessingException e) {
            throw new LocalLambdaConfigException(source + location(e.getLocation()) + ": invalid YAML: "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new LocalLambdaConfigException(source + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Reports a misspelt key at its own line. Databind buffers unknown keys of records until the
     * record is built, so its error would point at the end of the mapping, or a missing-field error
     * would hide the typo; this streaming pass over the record schema finds them first.
     */
    private static void checkUnknownFields(ObjectMapper mapper, String yaml, String source) throws IOException {
        try (JsonParser p = mapper.getFactory().createParser(yaml)) {
            if (p.nextToken() == JsonToken.START_OBJECT) {
                checkObject(p, LocalLambdaConfig.class, "", source);
            }
        }
    }

    private static void checkObject(JsonParser p, Class<?> type, String path, String source) throws IOException {
        Map<String, RecordComponent> fields = new LinkedHashMap<>();
        for (RecordComponent c : type.getRecordComponents()) {
            fields.put(c.getName(), c);
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonLocation at = p.currentTokenLocation();
            RecordComponent field = fields.get(name);
            String fieldPath = path.isEmpty() ? name : path + "." + name;
            if (field == null) {
                throw new LocalLambdaConfigException(source + location(at) + ": field '" + fieldPath
                        + "': unknown field '" + name + "'; expected one of " + new TreeSet<>(fields.keySet()), null);
            }
            JsonToken value = p.nextToken();
            if (value == JsonToken.START_OBJECT && field.getType().isRecord()) {
                checkObject(p, field.getType(), fieldPath, source);
            } else if (value == JsonToken.START_ARRAY && field.getGenericType() instanceof ParameterizedType pt
                    && pt.getActualTypeArguments()[0] instanceof Class<?> element && element.isRecord()) {
                int index = 0;
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY && t != null; t = p.nextToken()) {
                    if (t == JsonToken.START_OBJECT) {
                        checkObject(p, element, fieldPath + "[" + index + "]", source);
                    } else {
                        p.skipChildren();
                    }
                    index++;
                }
            } else {
                p.skipChildren();
            }
        }
    }

    private static String describe(String source, JsonMappingException e) {
        String path = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining());
        path = path.startsWith(".") ? path.substring(1) : path;
        String where = source + location(e.getLocation()) + (path.isEmpty() ? "" : ": field '" + path + "'");
        if (e instanceof UnrecognizedPropertyException u) {
            List<String> known = new ArrayList<>();
            if (u.getKnownPropertyIds() != null) {
                u.getKnownPropertyIds().forEach(k -> known.add(String.valueOf(k)));
            }
            known.sort(null);
            return where + ": unknown field '" + u.getPropertyName() + "'; expected one of " + known;
        }
        if (e instanceof ValueInstantiationException && e.getCause() != null) {
            return where + ": " + e.getCause().getMessage();
        }
        if (e instanceof InvalidFormatException f) {
            return where + ": cannot use '" + f.getValue() + "': expected " + typeName(f.getTargetType());
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return where + ": expected " + typeName(m.getTargetType());
        }
        return where + ": " + e.getOriginalMessage();
    }

    private static String typeName(Class<?> type) {
        if (type == null) {
            return "a different value";
        }
        if (type == Integer.class || type == int.class) {
            return "an integer";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type.isEnum()) {
            return "one of " + java.util.Arrays.stream(type.getEnumConstants())
                    .map(c -> c.toString().toLowerCase(Locale.ROOT)).toList();
        }
        if (List.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (java.util.Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "a mapping";
        }
        return type.getSimpleName();
    }

    private static String location(JsonLocation loc) {
        return loc == null || loc.getLineNr() < 0 ? "" : ":" + loc.getLineNr() + ":" + loc.getColumnNr();
    }

    private LocalLambdaConfig resolveClasspath(Path base) {
        List<LocalFunction> resolved = functions.stream().map(f -> new LocalFunction(f.name(),
                f.reservedConcurrency(), f.eventInvokeConfig(),
                f.versions().stream().map(v -> new LocalFunctionVersion(v.version(), v.handler(),
                        v.classpath().stream().map(c -> base.resolve(c).normalize().toString()).toList(),
                        v.timeoutSeconds(), v.memoryMb(), v.environment(), v.jvmArgs())).toList())).toList();
        return new LocalLambdaConfig(region, accountId, accountConcurrencyLimit, executionMode, resolved);
    }
}
