import { ThroughputView } from '@/components/throughput/throughput-view';
import { THROUGHPUT_RANGES, type ThroughputRange } from '@/lib/schemas/stats';

export const metadata = { title: 'Throughput · EventDesk' };

export default async function ThroughputPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { range } = await searchParams;
  const initial = typeof range === 'string' && range in THROUGHPUT_RANGES ? (range as ThroughputRange) : '1h';
  return <ThroughputView initialRange={initial} />;
}
