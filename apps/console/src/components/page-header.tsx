import type { ComponentChildren } from 'preact';

export function PageHeader({
  title,
  subtitle,
  children,
}: {
  title: ComponentChildren;
  subtitle?: ComponentChildren;
  children?: ComponentChildren;
}) {
  return (
    <div class="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle && <p class="muted">{subtitle}</p>}
      </div>
      {children && <div class="actions">{children}</div>}
    </div>
  );
}
