package dev.crossrole.server.cloudtrail;

import java.util.Map;
import java.util.Set;

/**
 * The operations CloudTrail records as data events, which the event history never shows (and crossrole so never
 * keeps): the operations on or in a resource rather than on its configuration. Sources: the CloudTrail User Guide,
 * "Logging data events" (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html),
 * and each service's "Logging … API calls using AWS CloudTrail" page (SQS's messages, SNS's Publish, DynamoDB's items
 * and streams, S3's object-level operations, Lambda's Invoke, CloudWatch Logs' log events). Every other operation is a
 * management event.
 */
final class DataEvents {
    private static final Map<String, Set<String>> BY_SERVICE = Map.of(
            "s3", Set.of("GetObject", "HeadObject", "PutObject", "PostObject", "CopyObject", "DeleteObject",
                    "DeleteObjects", "GetObjectAcl", "PutObjectAcl", "GetObjectTagging", "PutObjectTagging",
                    "DeleteObjectTagging", "GetObjectAttributes", "GetObjectRetention", "PutObjectRetention",
                    "GetObjectLegalHold", "PutObjectLegalHold", "GetObjectTorrent", "RestoreObject",
                    "SelectObjectContent", "CreateMultipartUpload", "UploadPart", "UploadPartCopy",
                    "CompleteMultipartUpload", "AbortMultipartUpload", "ListParts", "ListObjects", "ListObjectsV2",
                    "ListObjectVersions", "ListMultipartUploads"),
            "sqs", Set.of("SendMessage", "SendMessageBatch", "ReceiveMessage", "DeleteMessage", "DeleteMessageBatch",
                    "ChangeMessageVisibility", "ChangeMessageVisibilityBatch"),
            "sns", Set.of("Publish", "PublishBatch"),
            "dynamodb", Set.of("GetItem", "PutItem", "UpdateItem", "DeleteItem", "BatchGetItem", "BatchWriteItem",
                    "Query", "Scan", "TransactGetItems", "TransactWriteItems", "ExecuteStatement",
                    "BatchExecuteStatement", "ExecuteTransaction", "DescribeStream", "GetRecords",
                    "GetShardIterator", "ListStreams"),
            "lambda", Set.of("Invoke", "InvokeWithResponseStream", "InvokeAsync"),
            "logs", Set.of("PutLogEvents", "GetLogEvents", "FilterLogEvents"));

    private DataEvents() {}

    /** Whether {@code service:operation} is a data event (signing names: {@code s3}, {@code sqs}, …). */
    static boolean isDataEvent(String service, String operation) {
        Set<String> operations = BY_SERVICE.get(service);
        return operations != null && operation != null && operations.contains(operation);
    }
}
