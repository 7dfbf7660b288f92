import type { PrismaClient } from '../generated/prisma/client';

export interface CoordinateUsage {
  coordinate: string;
  clientName: string;
  clientVersion: string;
  count: number;
  lastSeenAt: Date;
}

/** Use of each deprecated coordinate per client over the last `days` days (today included). */
export async function usageSince(prisma: PrismaClient, days: number): Promise<CoordinateUsage[]> {
  const since = new Date(Date.now() - (days - 1) * 86_400_000);
  since.setUTCHours(0, 0, 0, 0);
  const groups = await prisma.deprecatedUsage.groupBy({
    by: ['coordinate', 'clientName', 'clientVersion'],
    where: { day: { gte: since } },
    _sum: { count: true },
    _max: { lastSeenAt: true },
    orderBy: [{ coordinate: 'asc' }, { clientName: 'asc' }, { clientVersion: 'asc' }],
  });
  return groups.map((g) => ({
    coordinate: g.coordinate,
    clientName: g.clientName,
    clientVersion: g.clientVersion,
    count: g._sum.count ?? 0,
    lastSeenAt: g._max.lastSeenAt!,
  }));
}
