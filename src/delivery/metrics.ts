import type { Lane, SendOutcome } from '../domain/delivery';
import type { Platform } from '../domain/people';

/**
 * What the delivery reports as it works, for whoever measures it (the Prometheus registry in
 * src/http/metrics.ts). A port: the delivery knows nothing of how it is counted. Calls must be cheap
 * and must not throw.
 */
export interface DeliveryMetrics {
  /** One send attempt ended (or a message failed before any attempt: no sender, invalid target). */
  attempted(platform: Platform, lane: Lane, outcome: SendOutcome): void;
  /** A message was claimed from a lease that had run out (its holder died or stalled). */
  takenOver(platform: Platform, lane: Lane): void;
}
