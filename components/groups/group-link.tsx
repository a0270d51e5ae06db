'use client';
// A link to the list filtered by a failure group, named by what the group is (its id while the
// group loads, or when no group has it; the id stays in the title).
import Link from 'next/link';
import { useGroup } from '@/components/hooks/use-group';
import { groupName } from './group-name';

export function GroupLink({ groupId }: { groupId: string }) {
  const group = useGroup(groupId);
  return (
    <Link
      className={`text-indigo-700 hover:underline ${group.data ? '' : 'font-mono'}`}
      href={`/?groupId=${encodeURIComponent(groupId)}`}
      title={`group ${groupId}`}
      data-testid="group-link"
    >
      {group.data ? groupName(group.data) : groupId}
    </Link>
  );
}
