"""Every numeric and enumerated limit AWS puts on CORS configuration, in one place.

botocore checks neither maxima nor enums, so corsdeploy checks these itself before any call.
Sources are in docs/aws-cors-facts.md; limits marked UNCONFIRMED are assumptions kept here so
they can be changed in one place.
"""
from __future__ import annotations

# Integers in AWS's models (S3 MaxAgeSeconds, the Cors object's MaxAge) are 32-bit signed.
MAX_INTEGER = 2**31 - 1

# --- S3 (PutBucketCors) -------------------------------------------------------------------------
S3_MIN_RULES = 1  # an empty CORSRules list is MalformedXML; removal is DeleteBucketCors
S3_MAX_RULES = 100
S3_MAX_DOCUMENT_BYTES = 64 * 1024
# UNCONFIRMED: whether "64 KB" is measured on the XML body (assumed) and means 65,536 bytes.
S3_DOCUMENT_XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/"
S3_METHODS = ("GET", "PUT", "POST", "DELETE", "HEAD")
# UNCONFIRMED: whether S3 accepts methods in another case ("get"); exact case is required here.
S3_MAX_ID_LENGTH = 255
S3_MAX_WILDCARDS_PER_ORIGIN = 1
S3_MAX_WILDCARDS_PER_HEADER = 1
S3_MIN_MAX_AGE_SECONDS = 0
S3_MAX_MAX_AGE_SECONDS = MAX_INTEGER
# UNCONFIRMED: S3 documents no maximum for MaxAgeSeconds (beyond its integer type) and its answer
# to a negative one.

# General purpose bucket names (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
# UNCONFIRMED: buckets made in us-east-1 before March 2018 may have older names (capitals, '_', up
# to 255 characters); they are refused here like any name S3 no longer accepts.
S3_BUCKET_NAME_MIN_LENGTH = 3
S3_BUCKET_NAME_MAX_LENGTH = 63
S3_BUCKET_NAME_CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789.-"
S3_RESERVED_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
S3_RESERVED_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")

# --- API Gateway HTTP APIs (Cors object) --------------------------------------------------------
HTTP_MIN_MAX_AGE = -1
HTTP_MAX_MAX_AGE = 86400
HTTP_MIN_METHOD_LENGTH = 1
HTTP_MAX_METHOD_LENGTH = 64
# UNCONFIRMED: 1-64 comes from the shape's name (StringWithLengthBetween1And64), not a model rule.
HTTP_ANY_METHOD = "*"
HTTP_REJECTED_ANY_METHOD = "ANY"  # API Gateway expects `*`, and rejects the literal ANY

# --- API Gateway REST APIs (headers corsdeploy writes) ------------------------------------------
# UNCONFIRMED: REST headers are static strings with no service-side check; -1 is what CDK writes
# to disable preflight caching, so it is the lowest value accepted here; the highest is the Cors
# object's integer type.
REST_MIN_MAX_AGE = -1
REST_MAX_MAX_AGE = MAX_INTEGER
REST_GATEWAY_RESPONSE_TYPES = (
    "DEFAULT_4XX",
    "DEFAULT_5XX",
    "RESOURCE_NOT_FOUND",
    "UNAUTHORIZED",
    "INVALID_API_KEY",
    "ACCESS_DENIED",
    "AUTHORIZER_FAILURE",
    "AUTHORIZER_CONFIGURATION_ERROR",
    "INVALID_SIGNATURE",
    "EXPIRED_TOKEN",
    "MISSING_AUTHENTICATION_TOKEN",
    "INTEGRATION_FAILURE",
    "INTEGRATION_TIMEOUT",
    "API_CONFIGURATION_ERROR",
    "UNSUPPORTED_MEDIA_TYPE",
    "BAD_REQUEST_PARAMETERS",
    "BAD_REQUEST_BODY",
    "REQUEST_TOO_LARGE",
    "THROTTLED",
    "QUOTA_EXCEEDED",
    "WAF_FILTERED",
)
REST_DEFAULT_GATEWAY_RESPONSES = ("DEFAULT_4XX", "DEFAULT_5XX")


def is_rest_header_value(value: str) -> bool:
    """Whether a value can sit inside a '...' static header value and a template string literal:
    non-empty, with no quote, backslash or whitespace to break out of either."""
    return bool(value) and not any(c in "'\\" or c.isspace() for c in value)

# --- Lambda function URLs (Cors object) ---------------------------------------------------------
LAMBDA_MIN_MAX_AGE = 0
LAMBDA_MAX_MAX_AGE = 86400
LAMBDA_MAX_METHODS = 6
# Lambda's validation message and CloudFormation's allowed values list exactly these (facts §7.7).
# UNCONFIRMED: whether Lambda accepts them in another case ("get"); exact case is required here,
# as CloudFormation writes them.
LAMBDA_METHODS = ("GET", "PUT", "HEAD", "POST", "PATCH", "DELETE", "*")
LAMBDA_MIN_ORIGINS = 1
LAMBDA_MAX_ORIGINS = 100
LAMBDA_MIN_ORIGIN_LENGTH = 1
LAMBDA_MAX_ORIGIN_LENGTH = 253
LAMBDA_MAX_HEADERS = 100  # AllowHeaders and ExposeHeaders each
LAMBDA_MAX_HEADER_LENGTH = 1024
# Function URL names (NAME or NAME:ALIAS): letters, digits, '-' and '_', as the botocore model's
# FunctionUrlFunctionName and FunctionUrlQualifier (which refuses a version number) have them.
LAMBDA_MAX_FUNCTION_NAME_LENGTH = 64
LAMBDA_MAX_ALIAS_LENGTH = 128

# --- AWS settings -------------------------------------------------------------------------------
ACCOUNT_ID_DIGITS = 12
