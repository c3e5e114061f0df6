/** The shared components every view builds from (docs/development.md, "Building a view"). */
export { Badge, chipStyle, LabelChip, LabelChips, SeverityBadge, type Tone } from './Badge';
export { confirm, ConfirmHost, Dialog, DialogButtons } from './Dialog';
export { CheckField, Field, FieldRow, InlineError } from './Field';
export { Menu, Popover, type MenuEntry } from './Menu';
export { Banner, Card, EmptyState, FormCard, ListDetail, PageHeader, Toolbar, View } from './Page';
export { RadioGroup } from './RadioGroup';
export { Select, type Option } from './Select';
export { DateField, TimeField } from './TimeField';
export { Toaster } from './Toaster';
