import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api-client.js';

/** One catalogued event type, as `GET /api/v1/catalog` lists it. */
export interface CatalogEventType {
  type: string;
  product: string;
  activity: string;
  action: string;
  securityAction: boolean;
}

/** One product area. */
export interface CatalogProductArea {
  product: string;
  displayName: string;
}

/** `GET /api/v1/catalog`: the action types the filter offers, the event types and the product areas' names. */
export interface Catalog {
  actionTypes: string[];
  productAreas: CatalogProductArea[];
  eventTypes: CatalogEventType[];
}

/** The event catalog; it changes only with a deployment, so it is read once per session. */
export function useCatalog() {
  return useQuery({
    queryKey: ['catalog'],
    queryFn: ({ signal }) => apiRequest<Catalog>('/api/v1/catalog', { signal }),
    staleTime: Infinity,
  });
}

/** The name people read for a product area (`UserManagement` → `User Management`). */
export function productDisplayName(catalog: Catalog | undefined, product: string): string {
  return catalog?.productAreas.find((area) => area.product === product)?.displayName ?? product;
}
