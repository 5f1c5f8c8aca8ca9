import type { ServiceMetrics } from '@rec/shared';

/** The parameter server's operator-facing metrics (rec_parameter_server_*). */
export class ParameterServerMetrics {
  readonly applied;
  readonly dropped;
  readonly rejected;
  readonly loaded;
  readonly staleness;
  readonly version;
  readonly published;
  readonly publishedBytes;
  readonly publishSeconds;
  readonly payloadBytes;
  readonly snapshotSeconds;
  readonly targetSyncs;
  readonly tdLoss;
  readonly itemsSharingIdRows;

  constructor(metrics: ServiceMetrics) {
    this.applied = metrics.counter('updates_applied_total', 'Learner updates applied to the weights');
    this.dropped = metrics.counter('updates_dropped_total', 'Learner updates dropped, by reason (stale: computed on weights older than the staleness bound)', ['reason']);
    this.rejected = metrics.counter('updates_rejected_total', 'Learner updates rejected as invalid (bad layout, checksum, NaN/Inf)', ['reason']);
    // Exported at 0 from the start, so the NaN-rollback alert (infra/prometheus/rules.yml) has a series to watch.
    this.rejected.inc({ reason: 'weights-not-finite' }, 0);
    this.loaded = metrics.counter('weights_loaded_total', 'Weights made the next version by an operator: rollback (history) or import (staged)', ['source']);
    this.staleness = metrics.histogram('update_staleness_versions', 'Versions between the weights an update was computed on and the current ones', [], [0, 1, 2, 4, 8, 16, 32, 64, 128]);
    this.version = metrics.modelVersion;
    this.published = metrics.counter('weights_published_total', 'Weights records published, by role and kind (full, or a delta against the last full record)', ['role', 'kind']);
    this.publishedBytes = metrics.counter('weights_published_bytes_total', 'Bytes of the weights records published, by role and kind (rate / records rate = mean bytes per publish)', ['role', 'kind']);
    this.publishSeconds = metrics.histogram('weights_publish_seconds', 'Time to encode and publish one weights record (acknowledged)', [], [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]);
    this.payloadBytes = metrics.gauge('weights_payload_bytes', 'Size of the latest weights record');
    this.snapshotSeconds = metrics.histogram('snapshot_seconds', 'Time to snapshot weights and optimizer state to Redis', [], [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5]);
    this.targetSyncs = metrics.counter('target_syncs_total', 'Target network syncs');
    this.tdLoss = metrics.gauge('learner_td_loss', 'TD loss reported with the latest applied update');
    this.itemsSharingIdRows = metrics.gauge(
      'items_sharing_id_rows',
      'Available catalog items whose per-item embedding row (hashed id modulo MODEL_ITEM_ID_BUCKETS) another available item also uses; compare with rec_catalog_items{available="true"}',
    );
  }
}
