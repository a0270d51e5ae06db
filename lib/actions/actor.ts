// Who does an action: the authorised caller (lib/server/auth/authorize.ts's Actor fits), or
// 'system' for the background runner. Its name is the actor of the audit line.
import type { Role } from '@/lib/schemas/users';

export interface Actor {
  name: string;
  role: Role;
}
