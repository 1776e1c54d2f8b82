// A generated stand-in for event-ruler's citylots benchmark data: GeoJSON features of San
// Francisco city lots, about 900 bytes each, with `properties` (block, lot, street…) and a
// polygon under `geometry.coordinates` (arrays of [lon, lat, 0] numbers, six decimals). Seeded, so every
// run sees the same events. One addition: `properties.PERMITS`, a small array of objects,
// so that array-consistency rules have something to work on.

import { seededRandom } from '../../flows/patterns/seeded-random.ts';

export const STREETS = [
  'FULTON', 'MISSION', 'MARKET', 'VALENCIA', 'GEARY', 'CHURCH', 'CASTRO', 'HAIGHT', 'ACKERSON', 'ALEMANY',
  'BEACH', 'BROADWAY', 'CLAY', 'COLUMBUS', 'DIVISADERO', 'EMBARCADERO', 'FOLSOM', 'GOUGH', 'HOWARD', 'IRVING',
  'JACKSON', 'JUDAH', 'KEARNY', 'LARKIN', 'LOMBARD', 'MASONIC', 'NORIEGA', 'OCTAVIA', 'POLK', 'POWELL',
  'SACRAMENTO', 'STOCKTON', 'TARAVAL', 'UNION', 'VAN NESS', 'WASHINGTON', '17TH', '24TH', 'UNKNOWN', 'ALABAMA',
];
const STREET_TYPES = ['ST', 'AVE', 'BLVD', 'WAY', 'TER', 'PL', null];
const PERMIT_TYPES = ['ROOF', 'ELECTRICAL', 'PLUMBING', 'SEISMIC', 'SOLAR'];

function digits(random: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(random() * 10);
  return s;
}

/** `count` city-lot features, the same for the same seed. */
export function generateCityLots(count: number, seed = 42): Record<string, unknown>[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const lots: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const block = digits(random, 4);
    const lot = digits(random, 3);
    const from = Math.floor(random() * 3000);
    const points = 19 + Math.floor(random() * 8);
    const lon0 = -122.52 + random() * 0.16;
    const lat0 = 37.70 + random() * 0.12;
    const ring: number[][] = [];
    for (let p = 0; p < points; p++) {
      // Six decimals (about 10 cm): the precision numeric patterns compare at. The real data
      // has 15, which event-ruler's numeric matching cannot use either.
      ring.push([Number((lon0 + random() * 0.001).toFixed(6)), Number((lat0 + random() * 0.001).toFixed(6)), 0.0]);
    }
    ring.push(ring[0] as number[]);
    const permits = Array.from({ length: Math.floor(random() * 3) }, () => ({
      TYPE: pick(PERMIT_TYPES),
      YEAR: 2005 + Math.floor(random() * 20),
    }));
    lots.push({
      type: 'Feature',
      properties: {
        MAPBLKLOT: block + lot,
        BLKLOT: block + lot,
        BLOCK_NUM: block,
        LOT_NUM: lot,
        FROM_ST: String(from),
        TO_ST: String(from + 2 * Math.floor(random() * 50)),
        STREET: pick(STREETS),
        ST_TYPE: pick(STREET_TYPES),
        ODD_EVEN: from % 2 === 0 ? 'E' : 'O',
        PERMITS: permits,
      },
      geometry: { type: 'Polygon', coordinates: [ring] },
    });
  }
  return lots;
}
