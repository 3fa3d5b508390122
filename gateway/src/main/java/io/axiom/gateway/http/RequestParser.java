package io.axiom.gateway.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;

import io.axiom.core.api.CreateWorkflow;
import io.axiom.core.api.StepKind;
import io.axiom.core.api.StepSpec;

/**
 * Turns request bodies into engine commands, refusing with an {@link ApiProblem} that names the exact field for
 * anything malformed, mistyped, unknown or over a limit. Thread-safe; holds only limits.
 */
public final class RequestParser
{
    /** Longest {@code reason} accepted by cancel, in characters. */
    public static final int MAX_REASON_LENGTH = 1024;
    /** Longest {@code Idempotency-Key} accepted, in characters. */
    public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 256;
    /** Longest duration, timeout or backoff accepted: 100 years in ms, so that now + duration never overflows. */
    public static final long MAX_DURATION_MS = 100L * 366 * 24 * 3600 * 1000;
    /** Most attempts a retry policy may ask for. */
    public static final int MAX_ATTEMPTS_LIMIT = 10_000;
    /** Largest retry multiplier. */
    public static final double MAX_MULTIPLIER = 1000.0;
    /** Most tasks one fetch may ask for. */
    public static final int MAX_FETCH_TASKS = 100;
    /** Longest a fetch may wait for a task, in ms. */
    public static final long MAX_FETCH_WAIT_MS = 30_000;
    /** How long a fetch waits for a task when it does not say. */
    public static final long DEFAULT_FETCH_WAIT_MS = 10_000;
    /** Most step names one fetch may offer to run (the engine's limit for a worker). */
    public static final int MAX_FETCH_STEPS = 1024;
    /** Longest {@code worker_id}, in characters. */
    public static final int MAX_WORKER_ID_LENGTH = 256;
    /** Longest {@code error} of a failed task, in UTF-8 bytes (what the log keeps of one). */
    public static final int MAX_ERROR_BYTES = 4096;

    /**
     * Reads documents {@link JsonCheck} has passed: strict (no duplicate keys, nothing after the document), numbers
     * kept exactly ({@code BigDecimal}, bounded by the check), and Jackson's own limits set past the check's and the
     * body limit, so that they never decide (or word) a refusal.
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(JsonCheck.MAX_DEPTH + 1)
                .maxNumberLength(4 * (JsonCheck.MAX_DIGITS + 8))
                .maxStringLength(Integer.MAX_VALUE)
                .maxNameLength(Integer.MAX_VALUE)
                .build())
            .build())
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
        .build();

    private static final Set<String> CREATE_FIELDS = Set.of("name", "steps", "input");
    private static final Set<String> STEP_FIELDS = Set.of("name", "type", "timeout_ms", "duration_ms", "retry");
    private static final Set<String> RETRY_FIELDS =
        Set.of("max_attempts", "backoff_ms", "max_backoff_ms", "multiplier");
    private static final Set<String> ADVANCE_FIELDS = Set.of("output", "expected_step", "expected_step_index");
    private static final Set<String> CANCEL_FIELDS = Set.of("reason", "expected_step_index");
    private static final Set<String> FETCH_FIELDS = Set.of("steps", "max_tasks", "wait_ms", "worker_id");
    private static final Set<String> COMPLETE_FIELDS = Set.of("fencing_token", "output");
    private static final Set<String> FAIL_FIELDS = Set.of("fencing_token", "retryable", "error");
    private static final Set<String> HEARTBEAT_FIELDS = Set.of("fencing_token");
    /** What a request that names no step index carries. */
    public static final int NO_STEP_INDEX = -1;

    private final int maxSteps;
    private final int maxNameLength;

    /**
     * @param maxSteps      most steps in a workflow.
     * @param maxNameLength most characters in a workflow or step name.
     */
    public RequestParser(final int maxSteps, final int maxNameLength)
    {
        this.maxSteps = maxSteps;
        this.maxNameLength = maxNameLength;
    }

    /**
     * What {@code advance} asks for.
     *
     * @param expectedStep      the step name the client believes is current, or null.
     * @param expectedStepIndex the step index the client believes is current, or {@link #NO_STEP_INDEX}.
     * @param output            the step's output as JSON bytes, or null.
     */
    public record Advance(String expectedStep, int expectedStepIndex, byte[] output)
    {
    }

    /**
     * What {@code cancel} asks for.
     *
     * @param reason            why, or null.
     * @param expectedStepIndex the step index the client believes is current, or {@link #NO_STEP_INDEX}.
     */
    public record Cancel(String reason, int expectedStepIndex)
    {
    }

    /**
     * What a worker's fetch asks for.
     *
     * @param steps    the step names it runs, each checked like a step name.
     * @param maxTasks most tasks to take, 1 to {@link #MAX_FETCH_TASKS}.
     * @param waitMs   longest wait for a first task, 0 to {@link #MAX_FETCH_WAIT_MS}.
     * @param workerId the worker's own name for itself, or null.
     */
    public record Fetch(List<String> steps, int maxTasks, long waitMs, String workerId)
    {
    }

    /**
     * A worker's result for a task.
     *
     * @param fencingToken the token of the lease it ran under.
     * @param output       the step's output as JSON bytes, or null for none.
     */
    public record Completion(long fencingToken, byte[] output)
    {
    }

    /**
     * A worker's report that a task's attempt failed.
     *
     * @param fencingToken the token of the lease it ran under.
     * @param retryable    false to fail the workflow whatever attempts remain.
     * @param error        what went wrong, possibly empty.
     */
    public record Failure(long fencingToken, boolean retryable, String error)
    {
    }

    /**
     * @param body request body, possibly empty (then it is refused).
     * @return what to fetch.
     * @throws ApiProblem naming the first problem found.
     */
    public Fetch parseFetch(final byte[] body)
    {
        if (body.length == 0)
        {
            throw problem("EMPTY_BODY", "request body is empty; expected a JSON object with steps (the step names " +
                "this worker runs)");
        }
        final JsonNode root = readObject(body, FETCH_FIELDS, "request body");
        final JsonNode steps = root.get("steps");
        if (null == steps)
        {
            throw problem("MISSING_FIELD", "steps is required: a non-empty array of the step names this worker runs");
        }
        if (!steps.isArray())
        {
            throw problem("WRONG_TYPE", "steps must be an array of step names, got " + kind(steps));
        }
        if (steps.isEmpty())
        {
            throw problem("EMPTY_STEPS", "steps must name at least one step");
        }
        if (steps.size() > MAX_FETCH_STEPS)
        {
            throw problem("TOO_MANY_STEPS", "steps has " + steps.size() + " entries; a worker may run at most " +
                MAX_FETCH_STEPS + " step names");
        }
        final List<String> names = new ArrayList<>(steps.size());
        for (int i = 0; i < steps.size(); i++)
        {
            final JsonNode step = steps.get(i);
            if (!step.isTextual())
            {
                throw problem("WRONG_TYPE", "steps[" + i + "] must be a step name (string), got " + kind(step));
            }
            names.add(checkName(step.textValue(), "steps[" + i + "]"));
        }
        final int maxTasks = (int)optionalLong(root, "max_tasks", "", 1, MAX_FETCH_TASKS, 1);
        final long waitMs = optionalLong(root, "wait_ms", "", 0, MAX_FETCH_WAIT_MS, DEFAULT_FETCH_WAIT_MS);
        String workerId = null;
        final JsonNode worker = root.get("worker_id");
        if (null != worker && !worker.isNull())
        {
            if (!worker.isTextual())
            {
                throw problem("WRONG_TYPE", "worker_id must be a string, got " + kind(worker));
            }
            workerId = worker.textValue();
            if (workerId.isBlank() || workerId.length() > MAX_WORKER_ID_LENGTH)
            {
                throw problem("INVALID_VALUE", "worker_id must be 1 to " + MAX_WORKER_ID_LENGTH +
                    " characters long and not blank, got " + workerId.length());
            }
            for (int i = 0; i < workerId.length(); i++)
            {
                if (Character.isISOControl(workerId.charAt(i)))
                {
                    throw problem("INVALID_VALUE", "worker_id must not contain control characters (found one at " +
                        "index " + i + ")");
                }
            }
        }
        return new Fetch(List.copyOf(names), maxTasks, waitMs, workerId);
    }

    /**
     * @param body request body of a task's completion.
     * @return the token and the output.
     * @throws ApiProblem naming the first problem found.
     */
    public Completion parseComplete(final byte[] body)
    {
        final JsonNode root = taskBody(body, COMPLETE_FIELDS, "fencing_token and an optional output");
        final long token = fencingToken(root);
        final JsonNode output = root.get("output");
        return new Completion(token, null == output ? null : write(output));
    }

    /**
     * @param body request body of a task's failure.
     * @return the token, whether to retry, and the error.
     * @throws ApiProblem naming the first problem found.
     */
    public Failure parseFail(final byte[] body)
    {
        final JsonNode root = taskBody(body, FAIL_FIELDS, "fencing_token, retryable and error");
        final long token = fencingToken(root);
        boolean retryable = true;
        final JsonNode retry = root.get("retryable");
        if (null != retry && !retry.isNull())
        {
            if (!retry.isBoolean())
            {
                throw problem("WRONG_TYPE", "retryable must be true or false, got " + kind(retry));
            }
            retryable = retry.booleanValue();
        }
        String error = "";
        final JsonNode errorNode = root.get("error");
        if (null != errorNode && !errorNode.isNull())
        {
            if (!errorNode.isTextual())
            {
                throw problem("WRONG_TYPE", "error must be a string, got " + kind(errorNode));
            }
            error = errorNode.textValue();
            final int bytes = error.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_ERROR_BYTES)
            {
                throw problem("ERROR_TOO_LONG", "error is " + bytes + " bytes long in UTF-8; the limit is " +
                    MAX_ERROR_BYTES + " (put the rest in your own logs)");
            }
        }
        return new Failure(token, retryable, error);
    }

    /**
     * @param body request body of a heartbeat.
     * @return the fencing token of the lease to extend.
     * @throws ApiProblem naming the first problem found.
     */
    public long parseHeartbeat(final byte[] body)
    {
        return fencingToken(taskBody(body, HEARTBEAT_FIELDS, "fencing_token"));
    }

    private static JsonNode taskBody(final byte[] body, final Set<String> fields, final String expected)
    {
        if (body.length == 0)
        {
            throw problem("EMPTY_BODY", "request body is empty; expected a JSON object with " + expected);
        }
        return readObject(body, fields, "request body");
    }

    private static long fencingToken(final JsonNode root)
    {
        final JsonNode token = root.get("fencing_token");
        if (null == token || token.isNull())
        {
            throw problem("MISSING_FIELD", "fencing_token is required: the fencing_token of the task as fetched");
        }
        return optionalLong(root, "fencing_token", "", 1, Long.MAX_VALUE, 0);
    }

    /**
     * @param body           request body, non-empty.
     * @param idempotencyKey the validated {@code Idempotency-Key} header, or null.
     * @return the command.
     * @throws ApiProblem naming the first problem found.
     */
    public CreateWorkflow parseCreate(final byte[] body, final String idempotencyKey)
    {
        return parseCreate(body, idempotencyKey, "steps");
    }

    /**
     * Like {@link #parseCreate(byte[], String)}, naming the {@code steps} field otherwise in refusals: GraphQL's
     * {@code typedSteps} argument carries REST's step objects under its own name.
     *
     * @param body           request body, non-empty.
     * @param idempotencyKey the validated {@code Idempotency-Key} header, or null.
     * @param stepsName      how refusals name the {@code steps} field and its elements, e.g. {@code typedSteps}.
     * @return the command.
     * @throws ApiProblem naming the first problem found.
     */
    public CreateWorkflow parseCreate(final byte[] body, final String idempotencyKey, final String stepsName)
    {
        final JsonNode root = readObject(body, CREATE_FIELDS, "request body");

        final String name = requiredName(root, "name", "name");
        final JsonNode steps = root.get("steps");
        if (null == steps)
        {
            throw problem("MISSING_FIELD", stepsName +
                " is required: a non-empty array of step names or step objects");
        }
        if (!steps.isArray())
        {
            throw problem("WRONG_TYPE", stepsName + " must be an array of step names or step objects, got " +
                kind(steps));
        }
        if (steps.isEmpty())
        {
            throw problem("EMPTY_STEPS", stepsName + " must contain at least one step");
        }
        if (steps.size() > maxSteps)
        {
            throw problem("TOO_MANY_STEPS", stepsName + " has " + steps.size() + " entries; the limit is " +
                maxSteps + " (limits.max-steps)");
        }

        final List<StepSpec> specs = new ArrayList<>(steps.size());
        for (int i = 0; i < steps.size(); i++)
        {
            specs.add(parseStep(steps.get(i), stepsName + "[" + i + "]"));
        }

        final JsonNode input = root.get("input");
        final byte[] inputJson = null == input ? "null".getBytes(StandardCharsets.US_ASCII) : write(input);
        return new CreateWorkflow(name, List.copyOf(specs), inputJson, idempotencyKey);
    }

    /**
     * @param body request body, possibly empty (then nothing is expected and nothing is given).
     * @return what to advance with.
     * @throws ApiProblem naming the first problem found.
     */
    public Advance parseAdvance(final byte[] body)
    {
        if (body.length == 0)
        {
            return new Advance(null, NO_STEP_INDEX, null);
        }
        final JsonNode root = readObject(body, ADVANCE_FIELDS, "request body");
        String expected = null;
        final JsonNode expectedNode = root.get("expected_step");
        if (null != expectedNode && !expectedNode.isNull())
        {
            expected = requiredName(root, "expected_step", "expected_step");
        }
        final int index = (int)optionalLong(root, "expected_step_index", "", 0, maxSteps - 1,
            NO_STEP_INDEX);
        final JsonNode output = root.get("output");
        return new Advance(expected, index, null == output ? null : write(output));
    }

    /**
     * @param body request body, possibly empty.
     * @return the reason (or null) and the expected step index.
     * @throws ApiProblem naming the first problem found.
     */
    public Cancel parseCancel(final byte[] body)
    {
        if (body.length == 0)
        {
            return new Cancel(null, NO_STEP_INDEX);
        }
        final JsonNode root = readObject(body, CANCEL_FIELDS, "request body");
        final int index = (int)optionalLong(root, "expected_step_index", "", 0, maxSteps - 1,
            NO_STEP_INDEX);
        final JsonNode reason = root.get("reason");
        if (null == reason || reason.isNull())
        {
            return new Cancel(null, index);
        }
        if (!reason.isTextual())
        {
            throw problem("WRONG_TYPE", "reason must be a string, got " + kind(reason));
        }
        final String text = reason.textValue();
        if (text.length() > MAX_REASON_LENGTH)
        {
            throw problem("REASON_TOO_LONG", "reason is " + text.length() + " characters long; the limit is " +
                MAX_REASON_LENGTH);
        }
        return new Cancel(text, index);
    }

    /**
     * @param body request body, possibly empty.
     * @return the reason, or null.
     * @throws ApiProblem naming the first problem found.
     */
    public String parseCancelReason(final byte[] body)
    {
        return parseCancel(body).reason();
    }

    /**
     * @param values every {@code Idempotency-Key} header of the request.
     * @return the key, or null when there is none.
     * @throws ApiProblem when the header is repeated, empty, too long or not visible ASCII.
     */
    public static String idempotencyKey(final List<String> values)
    {
        if (values.isEmpty())
        {
            return null;
        }
        if (values.size() > 1)
        {
            throw new ApiProblem(400, "INVALID_HEADER", "Bad request", "Idempotency-Key header is given " +
                values.size() + " times; give it once");
        }
        final String key = values.get(0).trim();
        if (key.isEmpty() || key.length() > MAX_IDEMPOTENCY_KEY_LENGTH)
        {
            throw new ApiProblem(400, "INVALID_HEADER", "Bad request", "Idempotency-Key header must be 1 to " +
                MAX_IDEMPOTENCY_KEY_LENGTH + " characters long, got " + key.length());
        }
        for (int i = 0; i < key.length(); i++)
        {
            final char c = key.charAt(i);
            if (c < 0x21 || c > 0x7e)
            {
                throw new ApiProblem(400, "INVALID_HEADER", "Bad request",
                    "Idempotency-Key header may hold only visible ASCII characters; character " + i + " is not");
            }
        }
        return key;
    }

    private StepSpec parseStep(final JsonNode step, final String path)
    {
        if (step.isTextual())
        {
            return StepSpec.task(checkName(step.textValue(), path));
        }
        if (!step.isObject())
        {
            throw problem("WRONG_TYPE", path + " must be a step name (string) or a step object, got " + kind(step));
        }
        rejectUnknown(step, STEP_FIELDS, path);

        final String name = requiredName(step, "name", path + ".name");
        StepKind kind = StepKind.TASK;
        final JsonNode typeNode = step.get("type");
        if (null != typeNode && !typeNode.isNull())
        {
            if (!typeNode.isTextual())
            {
                throw problem("WRONG_TYPE", path + ".type must be a string (task, approval or timer), got " +
                    kind(typeNode));
            }
            kind = StepKind.fromWireName(typeNode.textValue());
            if (null == kind)
            {
                throw problem("UNKNOWN_STEP_TYPE", path + ".type '" + JsonCheck.excerpt(typeNode.textValue()) +
                    "' is not a step type; expected one of task, approval, timer");
            }
        }

        final long timeoutMs = optionalLong(step, "timeout_ms", path, 1, MAX_DURATION_MS, 0);
        final long durationMs = optionalLong(step, "duration_ms", path, 1, MAX_DURATION_MS, 0);
        final JsonNode retry = step.get("retry");
        final boolean hasRetry = null != retry && !retry.isNull();

        switch (kind)
        {
            case TIMER ->
            {
                if (0 == durationMs)
                {
                    throw problem("MISSING_FIELD", path + ".duration_ms is required for a timer step: " +
                        "milliseconds to wait, greater than 0");
                }
                onlyFor(timeoutMs != 0, path, "timeout_ms", "task");
                onlyFor(hasRetry, path, "retry", "task");
                return StepSpec.timer(name, durationMs);
            }
            case APPROVAL ->
            {
                onlyFor(durationMs != 0, path, "duration_ms", "timer");
                onlyFor(timeoutMs != 0, path, "timeout_ms", "task");
                onlyFor(hasRetry, path, "retry", "task");
                return StepSpec.approval(name);
            }
            default ->
            {
                onlyFor(durationMs != 0, path, "duration_ms", "timer");
                return hasRetry ? taskWithRetry(name, timeoutMs, retry, path + ".retry") :
                    new StepSpec(name, StepKind.TASK, timeoutMs, 0, StepSpec.MAX_ATTEMPTS_DEFAULT,
                        StepSpec.BACKOFF_MS_DEFAULT, StepSpec.MAX_BACKOFF_MS_DEFAULT, StepSpec.MULTIPLIER_DEFAULT);
            }
        }
    }

    private static StepSpec taskWithRetry(
        final String name, final long timeoutMs, final JsonNode retry, final String path)
    {
        if (!retry.isObject())
        {
            throw problem("WRONG_TYPE", path + " must be an object with max_attempts, backoff_ms, max_backoff_ms, " +
                "multiplier, got " + kind(retry));
        }
        rejectUnknown(retry, RETRY_FIELDS, path);
        final int maxAttempts = (int)optionalLong(
            retry, "max_attempts", path, 1, MAX_ATTEMPTS_LIMIT, StepSpec.MAX_ATTEMPTS_DEFAULT);
        final long backoffMs = optionalLong(retry, "backoff_ms", path, 0, MAX_DURATION_MS, StepSpec.BACKOFF_MS_DEFAULT);
        final long maxBackoffMs = optionalLong(
            retry, "max_backoff_ms", path, 0, MAX_DURATION_MS, Math.max(backoffMs, StepSpec.MAX_BACKOFF_MS_DEFAULT));
        if (maxBackoffMs < backoffMs)
        {
            throw problem("INVALID_VALUE", path + ".max_backoff_ms (" + maxBackoffMs +
                ") must not be less than backoff_ms (" + backoffMs + ")");
        }

        double multiplier = StepSpec.MULTIPLIER_DEFAULT;
        final JsonNode m = retry.get("multiplier");
        if (null != m && !m.isNull())
        {
            if (!m.isNumber())
            {
                throw problem("WRONG_TYPE", path + ".multiplier must be a number, got " + kind(m));
            }
            multiplier = m.doubleValue();
            if (!(multiplier >= 1.0 && multiplier <= MAX_MULTIPLIER))
            {
                throw problem("INVALID_VALUE", path + ".multiplier must be between 1.0 and " + MAX_MULTIPLIER +
                    ", got " + JsonCheck.excerpt(m.asText()));
            }
        }
        return new StepSpec(name, StepKind.TASK, timeoutMs, 0, maxAttempts, backoffMs, maxBackoffMs, multiplier);
    }

    private static void onlyFor(final boolean present, final String path, final String field, final String kind)
    {
        if (present)
        {
            throw problem("INVALID_FIELD", path + "." + field + " applies only to " + kind + " steps");
        }
    }

    private static long optionalLong(
        final JsonNode parent,
        final String field,
        final String path,
        final long min,
        final long max,
        final long absent)
    {
        final JsonNode node = parent.get(field);
        final String name = path.isEmpty() ? field : path + "." + field;
        if (null == node || node.isNull())
        {
            return absent;
        }
        if (!node.isIntegralNumber())
        {
            throw problem("WRONG_TYPE", name + " must be an integer, got " + kind(node));
        }
        if (!node.canConvertToLong() || node.longValue() < min || node.longValue() > max)
        {
            throw problem("INVALID_VALUE", name + " must be between " + min + " and " + max +
                ", got " + JsonCheck.excerpt(node.asText()));
        }
        return node.longValue();
    }

    private String requiredName(final JsonNode parent, final String field, final String path)
    {
        final JsonNode node = parent.get(field);
        if (null == node)
        {
            throw problem("MISSING_FIELD", path + " is required");
        }
        if (!node.isTextual())
        {
            throw problem("WRONG_TYPE", path + " must be a string, got " + kind(node));
        }
        return checkName(node.textValue(), path);
    }

    private String checkName(final String name, final String path)
    {
        if (name.isBlank())
        {
            throw problem("INVALID_VALUE", path + " must not be empty");
        }
        final int length = name.codePointCount(0, name.length());
        if (length > maxNameLength)
        {
            throw problem("NAME_TOO_LONG", path + " is " + length + " characters long; the limit is " +
                maxNameLength + " (limits.max-name-length)");
        }
        for (int i = 0; i < name.length(); i++)
        {
            if (Character.isISOControl(name.charAt(i)))
            {
                throw problem("INVALID_VALUE", path + " must not contain control characters (found one at index " +
                    i + ")");
            }
        }
        return name;
    }

    /**
     * Check a document, read it, and require a JSON object with no field outside the allowed ones.
     *
     * @param body    the document's bytes.
     * @param allowed the field names the object may have.
     * @param what    how a refusal names the document, e.g. {@code request body}.
     * @return the object.
     * @throws ApiProblem 400 EMPTY_BODY, WRONG_TYPE, UNKNOWN_FIELD or what {@link #readTree} refuses.
     */
    public static JsonNode readObject(final byte[] body, final Set<String> allowed, final String what)
    {
        final JsonNode root = readTree(body);
        if (null == root || root.isMissingNode())
        {
            throw problem("EMPTY_BODY", what + " is empty; expected a JSON object");
        }
        if (!root.isObject())
        {
            throw problem("WRONG_TYPE", what + " must be a JSON object, got " + kind(root));
        }
        rejectUnknown(root, allowed, what);
        return root;
    }

    /**
     * Check a document ({@link JsonCheck}) and read it into a tree.
     *
     * @param json the document's bytes.
     * @return its tree.
     * @throws ApiProblem 400 naming line, column and what was expected, in Axiom's words.
     */
    public static JsonNode readTree(final byte[] json)
    {
        try
        {
            JsonCheck.check(json);
        }
        catch (final JsonCheck.Refusal refusal)
        {
            throw problem(refusal.code(), refusal.getMessage());
        }
        try
        {
            return MAPPER.readTree(json);
        }
        catch (final IOException ex)
        {
            throw problem("MALFORMED_JSON", jacksonRefusal(ex));
        }
    }

    /**
     * @param ex what Jackson refused in a document {@link JsonCheck} had passed: in practice a repeated key.
     * @return the refusal in Axiom's words, with the position and without Jackson's message.
     */
    public static String jacksonRefusal(final IOException ex)
    {
        String where = "";
        String reason = "the document could not be read";
        if (ex instanceof JsonProcessingException processing)
        {
            final JsonLocation location = processing.getLocation();
            where = null == location ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
            final String original = String.valueOf(processing.getOriginalMessage());
            if (original.startsWith("Duplicate field '"))
            {
                final int close = original.indexOf('\'', "Duplicate field '".length());
                final String key = close < 0 ? "" : original.substring("Duplicate field '".length(), close);
                reason = "the key '" + JsonCheck.excerpt(key) + "' appears twice in one object; give each key once";
            }
        }
        return "malformed JSON" + where + ": " + reason;
    }

    private static void rejectUnknown(final JsonNode object, final Set<String> allowed, final String where)
    {
        for (final Map.Entry<String, JsonNode> field : object.properties())
        {
            final String name = field.getKey();
            if (!allowed.contains(name))
            {
                throw problem("UNKNOWN_FIELD", "unknown field '" + JsonCheck.excerpt(name) + "' in " + where +
                    "; allowed fields: " + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
    }

    private static byte[] write(final JsonNode node)
    {
        try
        {
            return MAPPER.writeValueAsBytes(node);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException("cannot re-serialise a parsed JSON tree", ex);
        }
    }

    private static String kind(final JsonNode node)
    {
        final JsonNodeType type = node.getNodeType();
        return switch (type)
        {
            case STRING -> "a string";
            case NUMBER -> "the number " + JsonCheck.excerpt(node.asText());
            case BOOLEAN -> node.asText();
            case NULL -> "null";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> type.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static ApiProblem problem(final String code, final String detail)
    {
        return ApiProblem.badRequest(code, detail);
    }
}
