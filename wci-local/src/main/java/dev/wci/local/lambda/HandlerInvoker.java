package dev.wci.local.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads a handler class and calls it the way the Lambda Java runtime does: {@link RequestStreamHandler}
 * gets the raw payload; {@link RequestHandler} gets the JSON payload converted to its input type, and
 * its result is written back as JSON. Uses only the JDK, aws-lambda-java-core and Jackson: it also runs
 * inside handler processes.
 */
final class HandlerInvoker {

    private final ObjectMapper json = new ObjectMapper();

    /** The outcome of one call: the response bytes, or an error body in Lambda's format. */
    record Outcome(boolean ok, byte[] body) {
    }

    Object newHandler(String handlerClass, ClassLoader loader) throws ReflectiveOperationException {
        Class<?> type = Class.forName(handlerClass, true, loader);
        if (!RequestHandler.class.isAssignableFrom(type) && !RequestStreamHandler.class.isAssignableFrom(type)) {
            throw new ClassCastException("handler class " + handlerClass
                    + " implements neither RequestHandler nor RequestStreamHandler");
        }
        return type.getDeclaredConstructor().newInstance();
    }

    /** Creates the handler (a fresh instance, like a cold start) and invokes it; never throws for handler errors. */
    Outcome invoke(String handlerClass, ClassLoader loader, byte[] payload, Context context) {
        Object handler;
        try {
            handler = newHandler(handlerClass, loader);
        } catch (InvocationTargetException e) {
            return error(e.getCause() == null ? e : e.getCause(), "Runtime.HandlerInitError");
        } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
            return error(e, "Runtime.InvalidHandler");
        }
        return invoke(handler, payload, context);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    Outcome invoke(Object handler, byte[] payload, Context context) {
        try {
            if (handler instanceof RequestStreamHandler stream) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                stream.handleRequest(new ByteArrayInputStream(payload), out, context);
                return new Outcome(true, out.toByteArray());
            }
            RequestHandler requestHandler = (RequestHandler) handler;
            Object input = payload.length == 0 ? null : json.readValue(payload, inputType(handler.getClass()));
            Object result = requestHandler.handleRequest(input, context);
            return new Outcome(true, json.writeValueAsBytes(result));
        } catch (Throwable t) { // a handler may fail any way; Lambda reports them all as function errors
            return error(t, null);
        }
    }

    private JavaType inputType(Class<?> handlerClass) {
        Type input = findInputType(handlerClass);
        return input == null ? json.constructType(Object.class) : json.constructType(input);
    }

    private static Type findInputType(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Type itf : c.getGenericInterfaces()) {
                if (itf instanceof ParameterizedType p && p.getRawType() == RequestHandler.class) {
                    Type arg = p.getActualTypeArguments()[0];
                    return arg instanceof Class<?> || arg instanceof ParameterizedType ? arg : null;
                }
            }
        }
        return null;
    }

    Outcome error(Throwable t, String typeOverride) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("errorMessage", String.valueOf(t.getMessage()));
        body.put("errorType", typeOverride != null ? typeOverride : t.getClass().getName());
        StringWriter trace = new StringWriter();
        t.printStackTrace(new PrintWriter(trace));
        body.put("stackTrace", List.of(trace.toString().split("\\R")));
        return new Outcome(false, errorBody(body));
    }

    byte[] errorBody(Map<String, Object> body) {
        try {
            return json.writeValueAsBytes(body);
        } catch (Exception e) {
            throw new IllegalStateException("cannot serialise an error body", e);
        }
    }
}
