package dev.wci.lambda.arn;

/** What the qualifier of a Lambda function ARN names. Only {@link #PUBLISHED_VERSION} is immutable. */
public enum QualifierKind {
    /** A published version number such as {@code :5}: its code and configuration never change. */
    PUBLISHED_VERSION,
    /** An alias such as {@code :live}: it can be repointed to another version at any time. */
    ALIAS,
    /** {@code :$LATEST}: the unpublished, editable code of the function. */
    LATEST,
    /** No qualifier: Lambda resolves it to {@code $LATEST}. */
    NONE;

    /** Whether the code behind a target of this kind can change after validation. */
    public boolean isMutable() {
        return this != PUBLISHED_VERSION;
    }
}
