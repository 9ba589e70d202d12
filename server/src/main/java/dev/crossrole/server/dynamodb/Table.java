package dev.crossrole.server.dynamodb;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A table's definition and settings, as DescribeTable shows them, plus its tags, resource policy and TTL setting.
 * Never changed once shared: an operation changes a {@link #copy()} and puts that.
 */
final class Table {
    /** A key attribute: its name and declared type ({@code S}, {@code N} or {@code B}). */
    record Key(String name, String type) {}

    /** A secondary index: global or local, its key, what it projects, and (global, provisioned) its throughput. */
    record Index(String name, boolean global, Key hash, Key range, String projectionType,
                 List<String> nonKeyAttributes, long readCapacity, long writeCapacity) {
        Index {
            nonKeyAttributes = nonKeyAttributes == null ? List.of() : List.copyOf(nonKeyAttributes);
        }
    }

    String account;
    String region;
    String name;
    String arn;
    String tableId;
    long createdMillis;
    Key hash;
    Key range;
    Map<String, String> attributeDefinitions = new LinkedHashMap<>();
    String billingMode;
    long readCapacity;
    long writeCapacity;
    long billingModeChangedMillis;
    List<Index> indexes = new ArrayList<>();
    boolean streamEnabled;
    String streamViewType;
    String streamLabel;
    boolean sseEnabled;
    String sseType;
    String kmsKeyArn;
    boolean deletionProtection;
    String tableClass;
    Map<String, String> tags = new LinkedHashMap<>();
    String policy;
    String policyRevision;
    String ttlAttribute;
    boolean ttlEnabled;

    Table copy() {
        Table t = new Table();
        t.account = account;
        t.region = region;
        t.name = name;
        t.arn = arn;
        t.tableId = tableId;
        t.createdMillis = createdMillis;
        t.hash = hash;
        t.range = range;
        t.attributeDefinitions = new LinkedHashMap<>(attributeDefinitions);
        t.billingMode = billingMode;
        t.readCapacity = readCapacity;
        t.writeCapacity = writeCapacity;
        t.billingModeChangedMillis = billingModeChangedMillis;
        t.indexes = new ArrayList<>(indexes);
        t.streamEnabled = streamEnabled;
        t.streamViewType = streamViewType;
        t.streamLabel = streamLabel;
        t.sseEnabled = sseEnabled;
        t.sseType = sseType;
        t.kmsKeyArn = kmsKeyArn;
        t.deletionProtection = deletionProtection;
        t.tableClass = tableClass;
        t.tags = new LinkedHashMap<>(tags);
        t.policy = policy;
        t.policyRevision = policyRevision;
        t.ttlAttribute = ttlAttribute;
        t.ttlEnabled = ttlEnabled;
        return t;
    }

    Index index(String indexName) {
        for (Index index : indexes) {
            if (index.name().equals(indexName)) {
                return index;
            }
        }
        return null;
    }

    List<Index> globalIndexes() {
        return indexes.stream().filter(Index::global).toList();
    }

    List<Index> localIndexes() {
        return indexes.stream().filter(i -> !i.global()).toList();
    }

    /** The names of the attributes every key (the table's and its indexes') is made of. */
    java.util.Set<String> keyAttributes() {
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        names.add(hash.name());
        if (range != null) {
            names.add(range.name());
        }
        for (Index index : indexes) {
            names.add(index.hash().name());
            if (index.range() != null) {
                names.add(index.range().name());
            }
        }
        return names;
    }

    String indexArn(String indexName) {
        return arn + "/index/" + indexName;
    }
}
